# Warnings for our own targets (third-party headers come in as system headers).
function(tim_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor)
  if(TIM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
