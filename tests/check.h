/* check: the tests' assertion with a message. cmocka's assert_* print
 * only the two values; CHECK says what was expected and what came, in
 * words. Include after <cmocka.h>. */
#ifndef WALVIZ_TESTS_CHECK_H
#define WALVIZ_TESTS_CHECK_H

/* Fails with a printf-style message (expected and actual) unless cond. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            _fail(__FILE__, __LINE__);                                                             \
        }                                                                                          \
    } while (0)

#endif
