// The weft_nn_tests executable: doctest's main; the test cases live in the other files of tests/nn/.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
