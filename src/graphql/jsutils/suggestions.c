/* suggestions.c -- graphql-js jsutils/suggestionList, didYouMean and naturalCompare (see suggestions.h). */
#include "graphql/jsutils/suggestions.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

/* graphql-js jsutils/naturalCompare. */
int gql_natural_compare(const char *a, const char *b) {
    size_t i = 0, j = 0;
    while (a[i] && b[j]) {
        if (isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[j])) {
            size_t si = i, sj = j;
            while (a[i] == '0')
                i++;
            while (b[j] == '0')
                j++;
            size_t di = i, dj = j;
            while (isdigit((unsigned char)a[i]))
                i++;
            while (isdigit((unsigned char)b[j]))
                j++;
            size_t li = i - di, lj = j - dj;
            if (li != lj) return li < lj ? -1 : 1;
            int c = strncmp(a + di, b + dj, li);
            if (c) return c < 0 ? -1 : 1;
            /* equal values: fewer leading zeros first, as naturalCompare's length tie-break */
            size_t zi = di - si, zj = dj - sj;
            if (zi != zj) return zi < zj ? -1 : 1;
        } else {
            if (a[i] != b[j]) return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
            i++;
            j++;
        }
    }
    if (a[i]) return 1;
    if (b[j]) return -1;
    return 0;
}

/* Damerau-Levenshtein (optimal string alignment) distance on lowercased strings, graphql-js LexicalDistance;
 * returns -1 when above threshold. */
static int lexical_distance(const char *input, const char *option, int threshold) {
    if (strcmp(input, option) == 0) return 0;
    size_t la = strlen(option), lb = strlen(input);
    if (strcasecmp(input, option) == 0) return 1;
    const char *a = option, *b = input;
    if (la < lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if ((int)(la - lb) > threshold) return -1;
    int *rows = malloc(3 * (lb + 1) * sizeof *rows);
    if (!rows) abort();
    for (size_t j = 0; j <= lb; j++)
        rows[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int *up = rows + ((i - 1) % 3) * (lb + 1);
        int *cur = rows + (i % 3) * (lb + 1);
        int smallest = cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int cost = ca == cb ? 0 : 1;
            int cell = up[j] + 1;
            if (cur[j - 1] + 1 < cell) cell = cur[j - 1] + 1;
            if (up[j - 1] + cost < cell) cell = up[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) == cb) {
                int *dd = rows + ((i - 2) % 3) * (lb + 1);
                if (dd[j - 2] + 1 < cell) cell = dd[j - 2] + 1;
            }
            if (cell < smallest) smallest = cell;
            cur[j] = cell;
        }
        if (smallest > threshold) {
            free(rows);
            return -1;
        }
    }
    int d = rows[(la % 3) * (lb + 1) + lb];
    free(rows);
    return d <= threshold ? d : -1;
}

typedef struct {
    const char *name;
    int dist;
} scored;

static int scored_cmp(const void *x, const void *y) {
    const scored *a = x, *b = y;
    if (a->dist != b->dist) return a->dist < b->dist ? -1 : 1;
    return gql_natural_compare(a->name, b->name);
}

/* graphql-js jsutils/suggestionList: options within threshold, by distance then naturalCompare. */
void gql_suggestion_list(arena_t *a, const char *input, const char *const *options, size_t n, ptrvec_t *out) {
    if (!n) return;
    int threshold = (int)(strlen(input) * 4 / 10) + 1;
    scored *s = arena_alloc(a, n * sizeof *s);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int d = lexical_distance(input, options[i], threshold);
        if (d >= 0) s[k++] = (scored){options[i], d};
    }
    qsort(s, k, sizeof *s, scored_cmp);
    for (size_t i = 0; i < k; i++)
        ptrvec_push(a, out, (void *)s[i].name);
}

/* graphql-js jsutils/didYouMean (MAX_SUGGESTIONS = 5). */
const char *gql_did_you_mean(arena_t *a, const char *sub, const ptrvec_t *sugg) {
    if (!sugg || !sugg->count) return "";
    size_t n = sugg->count > 5 ? 5 : sugg->count;
    buf_t b = BUF_INIT;
    buf_puts(&b, " Did you mean ");
    if (sub) {
        buf_puts(&b, sub);
        buf_putc(&b, ' ');
    }
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(&b, n == 2 ? " or " : (i == n - 1 ? ", or " : ", "));
        buf_printf(&b, "\"%s\"", (const char *)sugg->items[i]);
    }
    buf_putc(&b, '?');
    const char *r = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return r;
}
