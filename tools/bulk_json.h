/* bulk_json.h: jansson values allocated in bulk, for a tool that holds a
 * whole parsed corpus until it exits. */
#ifndef EKB_TOOLS_BULK_JSON_H
#define EKB_TOOLS_BULK_JSON_H

#include <stdbool.h>

/* Makes jansson take its memory from large per-thread blocks backed by
 * transparent huge pages, and makes its frees do nothing: the memory of
 * every value stays until the process exits. Call before the first jansson
 * value is made. Strings jansson hands out (json_dumps) must then be freed
 * with bulk_json_free_string, not free(). A no-op in the sanitizer build,
 * which must see each value's life. Returns whether it was installed: then
 * values need not be freed at all (json_decref would only walk them). */
bool bulk_json_install(void);

/* Frees a string returned by json_dumps, whichever allocator made it. */
void bulk_json_free_string(char *s);

#endif
