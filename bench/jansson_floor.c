/* jansson_floor.c: the floor for whole-corpus work: read and parse every
 * JSON file listed in LIST_FILE with jansson (JSON_REJECT_DUPLICATES), on N
 * threads, and nothing else. usage: jansson_floor N LIST_FILE
 * Built with -DEKB_READER (and lib/json_parse.c, lib/util.c) it reads each
 * file into memory and parses it with errkb's one-pass reader instead: the
 * same work errkb's loader does before it checks anything. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef EKB_READER
#include "json_parse.h"
#endif

static char **paths;
static size_t n_paths;
static atomic_size_t next_path;
static atomic_size_t parsed;

static void *work(void *arg)
{
    (void)arg;
    for (;;) {
        size_t i = atomic_fetch_add(&next_path, 1);
        if (i >= n_paths)
            return NULL;
#ifdef EKB_READER
        FILE *f = fopen(paths[i], "rb");
        char *text = NULL;
        size_t len = 0;
        json_t *j = NULL;
        if (f && fseek(f, 0, SEEK_END) == 0 && (len = (size_t)ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (text = malloc(len)) && fread(text, 1, len, f) == len)
            j = ekb_json_parse(text, len);
        free(text);
        if (f)
            fclose(f);
#else
        json_error_t e;
        json_t *j = json_load_file(paths[i], JSON_REJECT_DUPLICATES, &e);
#endif
        if (j) {
            atomic_fetch_add(&parsed, 1);
            json_decref(j);
        }
    }
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    FILE *list = argc > 2 ? fopen(argv[2], "r") : stdin;
    if (!list)
        return 2;
    size_t cap = 1024;
    paths = malloc(cap * sizeof *paths);
    char *line = NULL;
    size_t len = 0;
    ssize_t r;
    while (paths && (r = getline(&line, &len, list)) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (n_paths == cap && !(paths = realloc(paths, (cap *= 2) * sizeof *paths)))
            break;
        if (!(paths[n_paths++] = strdup(line)))
            return 2;
    }
    free(line);
    if (!paths || threads < 1 || threads > 64)
        return 2;
    pthread_t t[64];
    for (int k = 1; k < threads; k++)
        pthread_create(&t[k], NULL, work, NULL);
    work(NULL);
    for (int k = 1; k < threads; k++)
        pthread_join(t[k], NULL);
    printf("%zu parsed\n", (size_t)atomic_load(&parsed));
    return 0;
}
