// SPDX-License-Identifier: MIT
// libaccel: the C++ client of accelfd. Include this header only.
#pragma once

#include "accel/device.hpp"
#include "accel/error.hpp"
#include "accel/fd.hpp"
#include "accel/ioctl.hpp"
