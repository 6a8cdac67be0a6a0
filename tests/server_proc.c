/* server_proc.c - test helpers around a real amo-server (see
 * server_proc.h). */
#include "server_proc.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "support.h"

void server_start(struct server_proc *s, const char *db, const char *extra)
{
    char program[4096];
    snprintf(program, sizeof program, "%s/amo-server", bin_dir());
    server_start_program(s, program, db, extra);
}

void server_start_program(struct server_proc *s, const char *program,
                          const char *db, const char *extra)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "exec '%s' --listen 127.0.0.1:0 --db '%s' %s",
             program, db, extra ? extra : "");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    s->pid = pid;
    s->out_fd = fds[0];
    s->port = 0;
    char line[1024];
    const char *p = NULL;
    /* Read lines up to "amo-server: listening on http://127.0.0.1:PORT/"
     * (warnings may come first). */
    for (int lines = 0; !p && lines < 10; lines++) {
        size_t n = 0;
        while (n + 1 < sizeof line && read(s->out_fd, line + n, 1) == 1) {
            if (line[n] == '\n')
                break;
            n++;
        }
        line[n] = '\0';
        if (n == 0)
            break;
        if (strstr(line, "listening on"))
            p = strstr(line, "127.0.0.1:");
    }
    if (!p)
        fail_msg("amo-server did not start: %s", line);
    s->port = atoi(p + strlen("127.0.0.1:"));
    assert_true(s->port > 0);
}

int free_loopback_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

int server_stop(struct server_proc *s, char **output)
{
    int st = 0;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, &st, 0);
    struct buf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    ssize_t n;
    while ((n = read(s->out_fd, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)n);
    close(s->out_fd);
    if (output)
        *output = strdup(buf_str(&b));
    buf_free(&b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    buf_append(arg, p, size * n);
    return size * n;
}

void http_req(const struct server_proc *s, const char *method, const char *path,
              const char *const *headers, struct http_answer *a)
{
    char url[8192];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    CURL *h = curl_easy_init();
    struct curl_slist *hl = NULL;
    struct buf body, head;
    buf_init(&body, 512u << 20);
    buf_init(&head, 1 << 20);
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* keep "/../" as sent */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    a->len = body.len;
    a->body = malloc(body.len + 1); /* bodies may hold NUL bytes (gzip) */
    memcpy(a->body, buf_str(&body), body.len + 1);
    a->headers = strdup(buf_str(&head));
    buf_free(&body);
    buf_free(&head);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
}

void http_get(const struct server_proc *s, const char *path,
              struct http_answer *a)
{
    http_req(s, "GET", path, NULL, a);
}

void http_answer_free(struct http_answer *a)
{
    free(a->body);
    free(a->headers);
    a->body = a->headers = NULL;
}

const char *http_header(const struct http_answer *a, const char *name)
{
    static char value[1024];
    size_t n = strlen(name);
    for (const char *p = a->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(len - (size_t)(v - p)),
                     v);
            return value;
        }
        p = eol ? eol + 2 : p + len;
    }
    return NULL;
}

void shipped_server_start(struct shipped_server *e)
{
    e->dir = scratch_with_shipped_db(e->db, sizeof e->db);
    server_start(&e->srv, e->db, NULL);
}

void shipped_server_stop(struct shipped_server *e)
{
    server_stop(&e->srv, NULL);
    scratch_free(e->dir);
    e->dir = NULL;
}
