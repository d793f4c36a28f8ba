# The kernel module, built by Kbuild against one kernel's build directory.
#
# ACCELFD_KERNEL_VERSION picks the kernel (default: the newest with both
# /boot/vmlinuz-VER and /lib/modules/VER/build), ACCELFD_KERNEL_DIR its
# build tree. Kbuild writes into the source directory it is given, so the
# module's sources are mirrored into the build tree first.

function(accelfd_newest_kernel out)
  file(GLOB dirs LIST_DIRECTORIES true /lib/modules/*)
  set(best "")
  foreach(dir IN LISTS dirs)
    get_filename_component(ver "${dir}" NAME)
    if(EXISTS "/boot/vmlinuz-${ver}" AND EXISTS "${dir}/build/Makefile")
      if(best STREQUAL "" OR ver VERSION_GREATER best)
        set(best "${ver}")
      endif()
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

if(NOT ACCELFD_KERNEL_VERSION)
  accelfd_newest_kernel(newest)
  if(newest STREQUAL "")
    message(FATAL_ERROR "No kernel with both image and headers is installed "
                        "(scripts/install-deps installs Debian's)")
  endif()
  set(ACCELFD_KERNEL_VERSION "${newest}" CACHE STRING "Kernel to build the module for")
endif()
set(ACCELFD_KERNEL_DIR "/lib/modules/${ACCELFD_KERNEL_VERSION}/build"
    CACHE PATH "Kernel build tree for the module")
option(ACCELFD_KMOD_WERROR "Fail the module build on any W=1 warning" ON)
message(STATUS "accelfd module: kernel ${ACCELFD_KERNEL_VERSION} (${ACCELFD_KERNEL_DIR})")

set(kbuild_dir "${CMAKE_BINARY_DIR}/kbuild")
file(GLOB kmod_sources CONFIGURE_DEPENDS
     "${CMAKE_SOURCE_DIR}/kmod/*.c" "${CMAKE_SOURCE_DIR}/kmod/*.h"
     "${CMAKE_SOURCE_DIR}/kmod/Kbuild")
file(GLOB kmod_mdev_sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/kmod/mdev/*.c")
file(GLOB uapi_headers CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/uapi/linux/*.h")
set(kmod_flags W=1)
if(ACCELFD_KMOD_WERROR)
  list(APPEND kmod_flags KCFLAGS=-Werror)
endif()

# The VFIO-mdev front end is built where the kernel has mdev (Kbuild decides
# the same way, from the kernel's configuration).
set(kernel_config "${ACCELFD_KERNEL_DIR}/include/config/auto.conf")
set(ACCELFD_HAVE_MDEV OFF)
if(EXISTS "${kernel_config}")
  file(STRINGS "${kernel_config}" mdev_config REGEX "^CONFIG_VFIO_MDEV=[ym]")
  if(mdev_config)
    set(ACCELFD_HAVE_MDEV ON)
  endif()
endif()
message(STATUS "accelfd_mdev.ko (VFIO-mdev front end): ${ACCELFD_HAVE_MDEV}")

set(ACCELFD_KMOD "${kbuild_dir}/kmod/accelfd.ko" CACHE INTERNAL "")
set(ACCELFD_KMOD_MDEV "${kbuild_dir}/kmod/accelfd_mdev.ko" CACHE INTERNAL "")
set(kmod_outputs "${ACCELFD_KMOD}")
if(ACCELFD_HAVE_MDEV)
  list(APPEND kmod_outputs "${ACCELFD_KMOD_MDEV}")
endif()
add_custom_command(
  OUTPUT ${kmod_outputs}
  COMMAND ${CMAKE_COMMAND} -E make_directory "${kbuild_dir}/kmod/mdev" "${kbuild_dir}/uapi/linux"
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${kmod_sources} "${kbuild_dir}/kmod/"
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${kmod_mdev_sources} "${kbuild_dir}/kmod/mdev/"
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${uapi_headers} "${kbuild_dir}/uapi/linux/"
  COMMAND make -C "${ACCELFD_KERNEL_DIR}" M=${kbuild_dir}/kmod ${kmod_flags} modules
  DEPENDS ${kmod_sources} ${kmod_mdev_sources} ${uapi_headers}
  COMMENT "Building accelfd.ko and accelfd_mdev.ko for ${ACCELFD_KERNEL_VERSION}"
  VERBATIM)
add_custom_target(kmod ALL DEPENDS ${kmod_outputs})
