# SPDX-License-Identifier: Apache-2.0
# Checks Doxygen cannot make for the book's chapters; run by the `book`
# target as `cmake -DCHAPTERS_DIR=... -P check-chapters.cmake`.
#
# 1. Images go through `\image html NN-name.svg "caption"`, which Doxygen
#    checks against IMAGE_PATH. A Markdown image `![alt](file)` whose file
#    is missing renders as a broken <img> without any warning, so it is
#    refused here.
# 2. chapters/NN-*.md is linked from the front page as \ref chNN, so it must
#    label its page chNN: `# NN · Title {#chNN}` or `\page chNN NN · Title`.
#    (Doxygen would also fail, on the unresolved \ref; this says why.)

file(GLOB chapters ${CHAPTERS_DIR}/*.md)
set(problems "")
foreach(chapter IN LISTS chapters)
  get_filename_component(name ${chapter} NAME)
  file(READ ${chapter} text)
  string(REGEX MATCHALL "!\\[[^]\n]*\\]\\([^)\n]*\\)" images "${text}")
  foreach(image IN LISTS images)
    string(APPEND problems
      "${chapter}: ${image}: use \\image html NN-name.svg \"caption\", not a Markdown image\n")
  endforeach()
  if(name MATCHES "^([0-9][0-9])-")
    set(nn ${CMAKE_MATCH_1})
    if(NOT text MATCHES "{#ch${nn}}" AND NOT text MATCHES "[\\@]page[ \t]+ch${nn}[ \t]")
      string(APPEND problems
        "${chapter}: label the page ch${nn}: first line `# ${nn} · Title {#ch${nn}}`\n")
    endif()
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "book: chapter check failed\n${problems}")
endif()
