# bsdvmManLinks.cmake - a link page for every name a manual page documents
# besides its own, so that `man bsdvm_map_find` finds bsdvm_map_findspace(3)
# as `man` does for the BSDs' MLINKS.  Each link is a one-line page,
# ".so manN/page.N", which man-db and mandoc follow; a plain file rather than
# a symbolic link, so that it installs the same way everywhere.
#
# bsdvm_man_links(OUTDIR PAGES...) writes the links of PAGES into
# OUTDIR/manN/ and sets BSDVM_MAN_LINKS to the list of files written.
function(bsdvm_man_links outdir)
  set(links "")
  set(pages ${ARGN})
  set(own "")
  foreach(page IN LISTS pages)
    get_filename_component(base ${page} NAME)
    list(APPEND own ${base})
  endforeach()
  foreach(page IN LISTS pages)
    get_filename_component(base ${page} NAME)
    get_filename_component(name ${page} NAME_WE)
    string(REGEX REPLACE "^.*\\.([0-9])$" "\\1" sect ${base})
    # the names of the NAME section: .Nm lines before the .Nd line
    file(STRINGS ${page} lines REGEX "^\\.(Nm|Nd)( |$)")
    foreach(line IN LISTS lines)
      if(line MATCHES "^\\.Nd")
        break()
      endif()
      if(line MATCHES "^\\.Nm ([A-Za-z0-9_]+)")
        set(other ${CMAKE_MATCH_1})
        if(NOT other STREQUAL name AND NOT "${other}.${sect}" IN_LIST own)
          set(link ${outdir}/man${sect}/${other}.${sect})
          set(content ".so man${sect}/${base}\n")
          set(old "")
          if(EXISTS ${link})
            file(READ ${link} old)
          endif()
          if(NOT old STREQUAL content) # keep the time stamp of an unchanged link
            file(WRITE ${link} "${content}")
          endif()
          list(APPEND links ${link})
        endif()
      endif()
    endforeach()
  endforeach()
  set(BSDVM_MAN_LINKS ${links} PARENT_SCOPE)
endfunction()
