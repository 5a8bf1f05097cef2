/* clock: the program's one reading of the time. The core has no clock:
 * the commands read it here and pass it in. */
#ifndef WALVIZ_CLOCK_H
#define WALVIZ_CLOCK_H

#include <stdint.h>

/* Microseconds since the Unix epoch (the wall clock; it can be stepped by
 * NTP). Recordings keep these: they say when a message was received. */
int64_t wv_now_us(void);

#endif
