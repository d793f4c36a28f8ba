// SPDX-License-Identifier: MIT
// libaccel: the C++ client of accelfd. Include this header only.
#pragma once

#include "accel/admin.hpp"
#include "accel/compress.hpp"
#include "accel/device.hpp"
#include "accel/error.hpp"
#include "accel/fd.hpp"
#include "accel/ioctl.hpp"
#include "accel/mapping.hpp"
#include "accel/ops.hpp"
#include "accel/queue.hpp"
