// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE accelfd host tests
#include <boost/test/unit_test.hpp>
