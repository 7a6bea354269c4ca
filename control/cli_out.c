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

/* Every column at least as wide as its heading. */
static void
fit_head(struct table *t)
{
	for (int c = 0; c < t->ncols; c++)
		if (t->width[c] < strlen(t->head[c]))
			t->width[c] = strlen(t->head[c]);
}

void
table_fit(struct table *t, const char (*cells)[TABLE_CELL_MAX])
{
	fit_head(t);
	for (int c = 0; c < t->ncols; c++)
		if (strlen(cells[c]) > t->width[c])
			t->width[c] = strlen(cells[c]);
}

/* One line of cells: numbers right-aligned, no trailing blanks. */
static void
print_line(const struct table *t, const char *const *text)
{
	for (int c = 0; c < t->ncols; c++) {
		int width = t->right[c] ? (int)t->width[c] : -(int)t->width[c];

		if (c == t->ncols - 1 && !t->right[c])
			width = 0;
		printf("%s%*s", c ? "  " : "", width, text[c]);
	}
	putchar('\n');
}

void
table_head(const struct table *t)
{
	print_line(t, t->head);
}

void
table_row(const struct table *t, const char (*cells)[TABLE_CELL_MAX])
{
	const char *text[TABLE_MAX_COLS];

	for (int c = 0; c < t->ncols; c++)
		text[c] = cells[c];
	print_line(t, text);
}

void
table_print(struct table *t)
{
	size_t *order = calloc(t->nrows ? t->nrows : 1, sizeof(*order));

	fit_head(t);
	for (size_t r = 0; r < t->nrows; r++) {
		if (order != NULL)
			order[r] = r;
		table_fit(t, (const char (*)[TABLE_CELL_MAX])t->cells[r]);
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
	table_head(t);
	for (size_t i = 0; i < t->nrows; i++)
		table_row(t, (const char (*)[TABLE_CELL_MAX])t->cells[order != NULL ? order[i] : i]);
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

void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}
