# Installs the man page and the shell completions beside the binary, and
# describes the .deb that `cpack -G DEB` builds (tests/docs/test_package.sh
# checks both). Included from the top-level CMakeLists.txt.

# Debian installs man pages compressed; gzip -n keeps the file reproducible.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/tcphs.1.gz
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/man/tcphs.1 > ${CMAKE_BINARY_DIR}/tcphs.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/man/tcphs.1 VERBATIM)
add_custom_target(tcphs_man ALL DEPENDS ${CMAKE_BINARY_DIR}/tcphs.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/tcphs.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

# bash-completion loads completions/<command> the first time <command> is
# completed. Its pkg-config file names that directory; taken relative to
# bash-completion's own prefix it follows ours (and CPack's /usr).
set(_bash_dir ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
pkg_get_variable(_bc_completionsdir bash-completion completionsdir)
pkg_get_variable(_bc_prefix bash-completion prefix)
if(_bc_completionsdir AND _bc_prefix)
  string(FIND "${_bc_completionsdir}" "${_bc_prefix}/" _at)
  if(_at EQUAL 0)
    string(LENGTH "${_bc_prefix}/" _len)
    string(SUBSTRING "${_bc_completionsdir}" ${_len} -1 _bash_dir)
  endif()
endif()
set(TCPHS_BASH_COMPLETION_DIR ${_bash_dir} CACHE STRING
  "bash completion directory, relative to the install prefix")
install(FILES completions/tcphs.bash DESTINATION ${TCPHS_BASH_COMPLETION_DIR} RENAME tcphs)

# zsh: Debian's zsh reads packaged completions from
# /usr/share/zsh/vendor-completions, and local ones from
# <prefix>/share/zsh/site-functions (/usr/local). The prefix is known only
# at install time (cmake --install --prefix, CPack's /usr), hence the code.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL DESTINATION \"\${_zsh_dir}\" TYPE FILE FILES \"${CMAKE_SOURCE_DIR}/completions/_tcphs\")
")
install(FILES completions/tcphs.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# --- the .deb ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tcphs)
set(CPACK_PACKAGE_VENDOR "the tcphs authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "probe and diagnose TCP connection setup with real packets")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "tcphs sends its own TCP SYNs on raw sockets, matches the SYN+ACK, reset or\n"
  "ICMP error each one brings back, and reports the outcome (open, refused,\n"
  "timeout, filtered, unreachable) with kernel-timestamped round-trip times, the\n"
  "server's options and an exit code a CI job can test. It also traces where\n"
  "SYNs vanish on the path.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "the tcphs authors")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libcap2-bin")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(TCPHS_PACKAGED_BINARY ${CPACK_PACKAGING_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/tcphs)
configure_file(${CMAKE_CURRENT_LIST_DIR}/postinst.in ${CMAKE_BINARY_DIR}/deb/postinst @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/deb/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
