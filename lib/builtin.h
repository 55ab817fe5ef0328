/* builtin.h: the schema, policy and background lines compiled into the library
 * (build-aux/embed). */
#ifndef EKB_BUILTIN_H
#define EKB_BUILTIN_H

extern const unsigned char ekb_builtin_entry_schema[];
extern const unsigned long ekb_builtin_entry_schema_len;
extern const unsigned char ekb_builtin_policy[];
extern const unsigned long ekb_builtin_policy_len;
extern const unsigned char ekb_builtin_background_log[];
extern const unsigned long ekb_builtin_background_log_len;

#endif
