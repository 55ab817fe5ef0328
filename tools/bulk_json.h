/* bulk_json.h: jansson values allocated in bulk, for a tool that parses a
 * whole corpus once. */
#ifndef EKB_TOOLS_BULK_JSON_H
#define EKB_TOOLS_BULK_JSON_H

#include <stdbool.h>

/* Makes jansson take its memory from large per-thread blocks backed by
 * transparent huge pages, and makes its frees do nothing: the memory of
 * every value stays until the process exits. Call before the first jansson
 * value is made. Strings jansson hands out (json_dumps) must then not be
 * given to free(). A no-op in the sanitizer build,
 * which must see each value's life. Returns whether it was installed: then
 * values need not be freed at all (json_decref would only walk them). */
bool bulk_json_install(void);

/* On this thread, from enter to !enter: values come from memory that the
 * next scope on the thread reuses (installed only; else nothing). Every
 * value made in a scope must be dropped, unread, when it ends: for a
 * file's values, once the file is checked and its entry frozen (cv.h). */
void bulk_json_scope(bool enter);

#endif
