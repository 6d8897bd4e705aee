# Turns a data file into a C++ source defining `extern const unsigned char SYMBOL[]` (NUL-terminated)
# and SYMBOL_size.
file(READ ${SRC} content HEX)
string(LENGTH "${content}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "// Generated from ${SRC}; do not edit.\n#include <cstddef>\nextern const unsigned char ${SYMBOL}[] = {${bytes}0x00};\nextern const std::size_t ${SYMBOL}_size = ${size};\n")
