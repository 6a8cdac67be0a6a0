/* server_proc.h - start bin/amo-server on a free loopback port for a test
 * and talk to it with libcurl.
 * Ownership: http_get() returns heap strings the caller frees. */
#ifndef AMO_TEST_SERVER_PROC_H
#define AMO_TEST_SERVER_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct server_proc {
    pid_t pid;
    int port;
    int out_fd; /* the server's stdout and stderr */
};

/* Start amo-server on 127.0.0.1:0 with '--db db' and 'extra' options;
 * waits for its "listening on" line. */
void server_start(struct server_proc *s, const char *db, const char *extra);
/* The same with another amo-server binary (an installed one). */
void server_start_program(struct server_proc *s, const char *program,
                          const char *db, const char *extra);
/* A loopback port free right now, for a server that must know its own
 * URL before it starts (--listen 127.0.0.1:P --public-url ...:P). */
int free_loopback_port(void);
/* SIGTERM, wait; returns the exit status (-1 if killed by a signal) and
 * the server's whole output in *output (may be NULL). */
int server_stop(struct server_proc *s, char **output);

struct http_answer {
    long status;
    char *body;
    size_t len;
    char *headers; /* raw response headers */
};

/* GET (or "HEAD", "POST", ...) 'path' on the server, with optional extra
 * request headers (NULL-terminated). */
void http_req(const struct server_proc *s, const char *method, const char *path,
              const char *const *headers, struct http_answer *a);
void http_get(const struct server_proc *s, const char *path,
              struct http_answer *a);
void http_answer_free(struct http_answer *a);
/* The value of response header 'name' (case-insensitive) in a static
 * buffer, or NULL. */
const char *http_header(const struct http_answer *a, const char *name);

/* A scratch copy of the shipped data's database and a server on it: the
 * fixture of the test groups that only read (tests/test_server.c, ...). */
struct shipped_server {
    char *dir; /* the scratch directory, removed by shipped_server_stop */
    char db[4096];
    struct server_proc srv;
};
void shipped_server_start(struct shipped_server *e);
void shipped_server_stop(struct shipped_server *e);

#endif
