# Fails the build when a module includes a header of a module it must not
# depend on. The direction (docs/architecture.md):
#   cli -> (rl, eval, serve) -> (llm, sim, rubric, model, dist) -> records -> core
# of the upper modules only eval uses rl; of the middle ones only llm uses model.
# Run as: cmake -DSOURCE_DIR=<repo> -P tools/check_module_edges.cmake
cmake_minimum_required(VERSION 3.18)
set(allowed_core "")
set(allowed_records core)
set(allowed_model core)
set(allowed_sim core records)
set(allowed_rubric core records)
set(allowed_dist core)
set(allowed_llm core records model)
set(allowed_rl core records sim rubric model llm dist)
set(allowed_serve core records sim rubric model llm dist)
set(allowed_eval core records sim rubric model llm dist rl)
set(modules core records model sim rubric dist llm rl serve eval)

set(violations "")
foreach(m ${modules})
  file(GLOB_RECURSE files "${SOURCE_DIR}/src/${m}/*.cpp" "${SOURCE_DIR}/src/${m}/*.h"
       "${SOURCE_DIR}/include/clinrl/${m}/*.h")
  foreach(f ${files})
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"clinrl/[a-z_]+/")
    foreach(line ${lines})
      string(REGEX REPLACE ".*\"clinrl/([a-z_]+)/.*" "\\1" dep "${line}")
      if(NOT dep STREQUAL m AND NOT dep IN_LIST allowed_${m})
        file(RELATIVE_PATH rel "${SOURCE_DIR}" "${f}")
        string(STRIP "${line}" line)
        string(APPEND violations "\n  ${rel}: ${line} (${m} may use: ${allowed_${m}})")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "module dependency direction violated:${violations}")
endif()
