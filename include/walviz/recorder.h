/* recorder: writes a live stream to a recording file (format: record.h).
 * Lines are buffered and written in large writes; wv_recorder_sync writes
 * and fsyncs them and only then lets the source confirm what it received,
 * so a slot never moves past what is safely on disk. */
#ifndef WALVIZ_RECORDER_H
#define WALVIZ_RECORDER_H

#include <stddef.h>

#include "walviz/record.h"
#include "walviz/source.h"

typedef struct wv_recorder wv_recorder;

/* Starts a recording for path ("-": stdout). The file is written beside
 * path and replaces it only with its first bytes (the header, written by
 * wv_recorder_header or the first message): until the source streams, a
 * file at path is untouched, and one that never streams leaves no trace.
 * Returns NULL with a sentence in err. */
wv_recorder *wv_recorder_open(const char *path, char *err, size_t errsz);
/* Appends one message; the header (from the source's facts) goes first.
 * Returns 0, or -1 when writing failed (errno says why). */
int wv_recorder_add(wv_recorder *r, wv_source *src, const wv_meta *m, wv_slice text);
/* Adds a "# key: value" line to the header; before it is written (the
 * first message), at most 4 keys. The strings are copied. */
void wv_recorder_header_extra(wv_recorder *r, const char *key, const char *value);
/* Appends a line of another record kind (docs/recording-format.md),
 * newline included; the header goes first. 0, or -1 (errno). */
int wv_recorder_add_line(wv_recorder *r, wv_source *src, wv_slice line);
/* Writes the header if nothing was written yet (an empty session). */
void wv_recorder_header(wv_recorder *r, wv_source *src);
/* Writes and fsyncs, then confirms to the source. 0, or -1 (errno). */
int wv_recorder_sync(wv_recorder *r, wv_source *src);
/* Writes what is left, fsyncs and closes (removing the file beside path
 * if nothing was ever written); 0, or -1 (errno). NULL is fine. */
int wv_recorder_close(wv_recorder *r);

#endif
