/* check: CHECK(cond, fmt, ...) fails the cmocka test with a printf-style
 * message (expected and actual values) unless cond. Include after
 * cmocka.h. */
#ifndef WALVIZ_TESTS_CHECK_H
#define WALVIZ_TESTS_CHECK_H

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            _fail(__FILE__, __LINE__);                                                             \
        }                                                                                          \
    } while (0)

#endif
