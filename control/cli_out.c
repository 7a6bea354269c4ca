/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl's terminal output: error messages, sanitized text and tables
 * (cli_out.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_out.h"

const char *const cli_prog = "secgwctl";

void
err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
table_print(struct table *t)
{
	size_t w[TABLE_MAX_COLS];
	size_t *order = calloc(t->nrows ? t->nrows : 1, sizeof(*order));

	for (int c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for (size_t r = 0; r < t->nrows; r++) {
		if (order != NULL)
			order[r] = r;
		for (int c = 0; c < t->ncols; c++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	}
	/* insertion sort by key, stable: the tables are small */
	for (size_t i = 1; order != NULL && i < t->nrows; i++) {
		size_t x = order[i], j = i;

		while (j > 0 && t->sort_key[order[j - 1]] > t->sort_key[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (int c = 0; c < t->ncols; c++)
		printf("%s%*s%s", c ? "  " : "", t->right[c] ? (int)w[c] : -(int)w[c], t->head[c],
		       c == t->ncols - 1 ? "\n" : "");
	for (size_t i = 0; i < t->nrows; i++) {
		size_t r = order != NULL ? order[i] : i;

		for (int c = 0; c < t->ncols; c++) {
			int width = t->right[c] ? (int)w[c] : -(int)w[c];

			if (c == t->ncols - 1 && !t->right[c])
				width = 0; /* no trailing blanks */
			printf("%s%*s", c ? "  " : "", width, t->cells[r][c]);
		}
		putchar('\n');
	}
	free(order);
}

int
table_alloc(struct table *t, size_t rows)
{
	if (rows > TABLE_MAX_ROWS) {
		err_msg("malformed reply: %zu rows is more than %d", rows, TABLE_MAX_ROWS);
		return -1;
	}
	t->cells = calloc(rows ? rows : 1, sizeof(*t->cells));
	t->sort_key = calloc(rows ? rows : 1, sizeof(*t->sort_key));
	if (t->cells == NULL || t->sort_key == NULL) {
		err_msg("out of memory");
		return -1;
	}
	return 0;
}

void
table_free(struct table *t)
{
	free(t->cells);
	free(t->sort_key);
}


void
table_show(struct table *t, size_t rows, const char *empty)
{
	t->nrows = rows;
	if (rows == 0)
		printf("%s\n", empty);
	else
		table_print(t);
}
