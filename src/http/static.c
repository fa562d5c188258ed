/* static.c -- GET /graphiql: the GraphiQL page (web/index.html) and the four browser assets it
 * loads, all from --web-root so the page works with no internet. Only the names below are
 * served; anything else under /graphiql/ is 404, and a path with a ".." segment is refused. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

typedef struct {
    const char *name; /* after "/graphiql/" ("" is the page itself) */
    const char *file; /* relative to --web-root */
    const char *type;
    const char *cache;
} asset;

static const asset assets[] = {
    {"", "index.html", "text/html; charset=utf-8", "no-cache"},
    {"index.html", "index.html", "text/html; charset=utf-8", "no-cache"},
    {"graphiql.min.js", "node_modules/graphiql/graphiql.min.js", "text/javascript; charset=utf-8", "max-age=3600"},
    {"graphiql.min.css", "node_modules/graphiql/graphiql.min.css", "text/css; charset=utf-8", "max-age=3600"},
    {"react.production.min.js", "node_modules/react/umd/react.production.min.js", "text/javascript; charset=utf-8",
     "max-age=3600"},
    {"react-dom.production.min.js", "node_modules/react-dom/umd/react-dom.production.min.js",
     "text/javascript; charset=utf-8", "max-age=3600"},
};

static bool has_dotdot_segment(const char *p) {
    for (const char *s = strstr(p, ".."); s; s = strstr(s + 1, "..")) {
        bool starts = s == p || s[-1] == '/' || s[-1] == '\\';
        bool ends = s[2] == '\0' || s[2] == '/' || s[2] == '\\';
        if (starts && ends) return true;
    }
    return false;
}

void http_static(const http_request *rq, http_response *resp) {
    /* Only GET and HEAD get here (routes.c admits no other method). */
    if (has_dotdot_segment(rq->path) || strchr(rq->path, '\\')) {
        http_set_error(resp, 400, NULL, "BAD_REQUEST", "invalid path");
        return;
    }
    const char *name = rq->path[9] == '/' ? rq->path + 10 : rq->path + 9; /* after "/graphiql" */
    const asset *a = NULL;
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].name, name) == 0) a = &assets[i];
    if (!a) {
        http_set_error(resp, 404, NULL, "NOT_FOUND", "no such file: %.200s", rq->path);
        return;
    }
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", rq->cfg->web_root, a->file) >= sizeof path) {
        http_set_error(resp, 404, NULL, "NOT_FOUND", "no such file: %.200s", rq->path);
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        http_set_error(resp, 404, NULL, "NOT_FOUND",
                       "%s is missing under --web-root %s (install the web assets: cd web && npm ci --ignore-scripts)",
                       a->file, rq->cfg->web_root);
        return;
    }
    resp->status = 200;
    resp->fd = fd;
    resp->fd_size = (size_t)st.st_size;
    resp->content_type = a->type;
    resp->cache_control = a->cache;
}
