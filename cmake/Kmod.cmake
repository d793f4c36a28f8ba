# The kernel module, built by Kbuild against each tested kernel's build tree.
#
# ACCELFD_KERNEL_VERSION is the main kernel (default: the newest with both
# /boot/vmlinuz-VER and /lib/modules/VER/build), ACCELFD_KERNEL_DIR its
# build tree; its module is kbuild/kmod/accelfd.ko, the one the benchmark,
# the demo and the fuzzer load. ACCELFD_TEST_KERNELS lists every kernel the
# guest suite runs on (default: all installed with image and headers); the
# module for another kernel VER is kbuild-VER/kmod/accelfd.ko. Kbuild writes
# into the source directory it is given, so the module's sources are
# mirrored into each build tree first.

function(accelfd_installed_kernels out)
  file(GLOB dirs LIST_DIRECTORIES true /lib/modules/*)
  set(found "")
  foreach(dir IN LISTS dirs)
    get_filename_component(ver "${dir}" NAME)
    if(EXISTS "/boot/vmlinuz-${ver}" AND EXISTS "${dir}/build/Makefile")
      list(APPEND found "${ver}")
    endif()
  endforeach()
  list(SORT found COMPARE NATURAL)
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

accelfd_installed_kernels(installed_kernels)
if(NOT ACCELFD_KERNEL_VERSION)
  if(NOT installed_kernels)
    message(FATAL_ERROR "No kernel with both image and headers is installed "
                        "(scripts/install-deps installs Debian's)")
  endif()
  list(GET installed_kernels -1 newest)
  set(ACCELFD_KERNEL_VERSION "${newest}" CACHE STRING "Kernel to build the module for")
endif()
set(ACCELFD_KERNEL_DIR "/lib/modules/${ACCELFD_KERNEL_VERSION}/build"
    CACHE PATH "Kernel build tree for the module")
if(NOT DEFINED ACCELFD_TEST_KERNELS)
  set(ACCELFD_TEST_KERNELS "${installed_kernels}")
endif()
list(APPEND ACCELFD_TEST_KERNELS "${ACCELFD_KERNEL_VERSION}")
list(REMOVE_DUPLICATES ACCELFD_TEST_KERNELS)
set(ACCELFD_TEST_KERNELS "${ACCELFD_TEST_KERNELS}" CACHE STRING
    "Kernels the guest suite runs on (a module is built for each)")
option(ACCELFD_KMOD_WERROR "Fail the module build on any W=1 warning" ON)

file(GLOB kmod_sources CONFIGURE_DEPENDS
     "${CMAKE_SOURCE_DIR}/kmod/*.c" "${CMAKE_SOURCE_DIR}/kmod/*.h"
     "${CMAKE_SOURCE_DIR}/kmod/Kbuild")
file(GLOB kmod_mdev_sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/kmod/mdev/*.c")
file(GLOB uapi_headers CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/uapi/linux/*.h")
set(kmod_flags W=1)
if(ACCELFD_KMOD_WERROR)
  list(APPEND kmod_flags KCFLAGS=-Werror)
endif()

# accelfd_kmod(VER KDIR TARGET KBUILD_DIR): builds accelfd.ko, and
# accelfd_mdev.ko where the kernel has mdev (Kbuild decides the same way,
# from the kernel's configuration), for kernel VER into KBUILD_DIR/kmod.
# Sets ACCELFD_KMOD_<VER> and ACCELFD_KMOD_MDEV_<VER> (a path that stays
# empty where the kernel has no mdev).
function(accelfd_kmod ver kdir target kbuild_dir)
  set(have_mdev OFF)
  if(EXISTS "${kdir}/include/config/auto.conf")
    file(STRINGS "${kdir}/include/config/auto.conf" mdev_config REGEX "^CONFIG_VFIO_MDEV=[ym]")
    if(mdev_config)
      set(have_mdev ON)
    endif()
  endif()
  message(STATUS "accelfd module for ${ver} (${kdir}): accelfd.ko, "
                 "accelfd_mdev.ko (VFIO-mdev front end): ${have_mdev}")
  set(ko "${kbuild_dir}/kmod/accelfd.ko")
  set(mdev_ko "${kbuild_dir}/kmod/accelfd_mdev.ko")
  set(outputs "${ko}")
  if(have_mdev)
    list(APPEND outputs "${mdev_ko}")
  endif()
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory "${kbuild_dir}/kmod/mdev" "${kbuild_dir}/uapi/linux"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${kmod_sources} "${kbuild_dir}/kmod/"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${kmod_mdev_sources} "${kbuild_dir}/kmod/mdev/"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${uapi_headers} "${kbuild_dir}/uapi/linux/"
    COMMAND make -C "${kdir}" M=${kbuild_dir}/kmod ${kmod_flags} modules
    DEPENDS ${kmod_sources} ${kmod_mdev_sources} ${uapi_headers}
    COMMENT "Building accelfd.ko and accelfd_mdev.ko for ${ver}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${outputs})
  set(ACCELFD_KMOD_${ver} "${ko}" CACHE INTERNAL "")
  set(ACCELFD_KMOD_MDEV_${ver} "${mdev_ko}" CACHE INTERNAL "")
endfunction()

accelfd_kmod("${ACCELFD_KERNEL_VERSION}" "${ACCELFD_KERNEL_DIR}" kmod "${CMAKE_BINARY_DIR}/kbuild")
set(ACCELFD_KMOD "${ACCELFD_KMOD_${ACCELFD_KERNEL_VERSION}}" CACHE INTERNAL "")
set(ACCELFD_KMOD_MDEV "${ACCELFD_KMOD_MDEV_${ACCELFD_KERNEL_VERSION}}" CACHE INTERNAL "")
foreach(ver IN LISTS ACCELFD_TEST_KERNELS)
  if(NOT ver STREQUAL ACCELFD_KERNEL_VERSION)
    accelfd_kmod("${ver}" "/lib/modules/${ver}/build" "kmod-${ver}" "${CMAKE_BINARY_DIR}/kbuild-${ver}")
  endif()
endforeach()
