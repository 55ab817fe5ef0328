/* consumer.c: a downstream program that uses only the generated headers and
 * the reader's public header: open the embedded index, check it is the one
 * the constants describe, look an entry up by id and by text. Built as C99
 * (gcc, clang) and as C++17 (g++) with -Wall -Wextra -pedantic -Werror. */
#include <stdio.h>
#include <string.h>

#include "errkb_ids.h"
#include "errkb_index.h"
#include "errkb_reader.h"

#define SEED_ID "communication/mqtt-publish-identifier-already-in-use"

static int failures = 0;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    ekb_reader *r = NULL;
    ekb_reader_error err;
    if (ekb_reader_open_memory(errkb_index_data, ERRKB_INDEX_SIZE, 0, &r, &err) != 0) {
        fprintf(stderr, "consumer: cannot open the embedded index: %s\n", err.text);
        return 1;
    }
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    check(info.entries == EKB_INDEX_ENTRY_COUNT, "entry count");
    check(info.corpus_hash == EKB_INDEX_CORPUS_HASH, "corpus hash");
    check(info.major == EKB_INDEX_FORMAT_MAJOR && EKB_INDEX_FORMAT_MAJOR == EKB_READER_FORMAT_MAJOR,
          "format version");
    check(EKB_N_IDS == EKB_INDEX_ENTRY_COUNT, "entry constants");

    /* by id: the generated constant is the entry number */
    uint32_t at = 0;
    check(ekb_reader_find(r, SEED_ID, &at) == 1, "find by id");
    check(at == (uint32_t)EKB_ID_COMMUNICATION_MQTT_PUBLISH_IDENTIFIER_ALREADY_IN_USE, "id constant");
    ekb_reader_entry e;
    check(ekb_reader_entry_at(r, at, &e) == 0, "entry");
    char id[200];
    ekb_reader_str_copy(r, e.id, id, sizeof id);
    check(strcmp(id, SEED_ID) == 0, "entry id text");
    char domain[64];
    ekb_reader_str_copy(r, ekb_reader_group_name(r, EKB_READER_GROUP_DOMAIN, e.domain), domain, sizeof domain);
    check(strcmp(domain, "communication") == 0 && e.domain == (uint32_t)EKB_DOMAIN_COMMUNICATION, "domain");
    check(e.n[EKB_READER_WORKAROUNDS] > 0, "workarounds");

    /* by text */
    ekb_reader_matcher *m = ekb_reader_matcher_new(r);
    ekb_reader_hit hits[4];
    const char *text = "MQTT protocol violation: Identifier already in use";
    int n = ekb_reader_match(m, text, strlen(text), 0, hits, 4, &err);
    check(n >= 1 && hits[0].entry == at, "match by text");
    ekb_reader_matcher_free(m);

    char sig[512];
    ekb_reader_str_copy(r, ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, "zh"), sig, sizeof sig);
    printf("%s: %s\n", id, sig);
    ekb_reader_close(r);
    return failures ? 1 : 0;
}
