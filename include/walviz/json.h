/* json: change records as JSON objects, the output of `walviz decode`.
 * Strings come out as valid UTF-8 JSON: bytes that are not UTF-8 (a
 * binary message content, say) become U+FFFD. */
#ifndef WALVIZ_JSON_H
#define WALVIZ_JSON_H

#include "walviz/decode.h"
#include "walviz/record.h"

/* Appends one object for c, described by m, and a newline. */
void wv_json_change(wv_buf *out, const wv_change *c, const wv_meta *m);

/* Appends s as a JSON string. When undouble is a quote character, each
 * doubled occurrence of it stands for one (quote_identifier and literal
 * quoting); escaped also collapses doubled backslashes (E'...' literals). */
void wv_json_string(wv_buf *out, wv_slice s, char undouble, bool escaped);

#endif
