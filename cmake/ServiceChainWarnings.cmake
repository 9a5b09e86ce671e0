# Warnings are errors in the project's own code only, and only when SERVICECHAIN_WERROR is on
# (by default when ServiceChain is the top-level project, so a project that consumes it with
# add_subdirectory never fails on a newer compiler's new warning). Third-party headers come
# in as SYSTEM includes through their imported targets, so they are not affected.
function(servicechain_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<BOOL:${SERVICECHAIN_WERROR}>:-Werror>)
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${SERVICECHAIN_WERROR}>:/WX>)
  endif()
  if(SERVICECHAIN_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
