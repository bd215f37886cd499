# Install rules and the pkg-config file: another C program builds against the installed library.
add_test(NAME install_pkgconfig
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/check_install.sh ${CMAKE_BINARY_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/install_check)
set_tests_properties(install_pkgconfig PROPERTIES ENVIRONMENT "${FC_TEST_ENV}" LABELS "install" TIMEOUT 120)
