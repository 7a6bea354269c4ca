/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl's terminal output, shared by its commands: one-line error messages
 * ("secgwctl: why" on stderr), sanitizing text from the data plane before it
 * reaches a terminal, and column-aligned tables.
 *
 * Concurrency: none; secgwctl is single-threaded and these write to
 * stdout/stderr.
 */
#ifndef SECGW_CLI_OUT_H
#define SECGW_CLI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FIELD_MAX 128 /* RTE_TEL_MAX_STRING_LEN */
#define TABLE_MAX_ROWS 65536
#define TABLE_MAX_COLS 10

/* The program name used in messages and usage text. */
extern const char *const cli_prog;

/* "secgwctl: <message>\n" on stderr. */
void __attribute__((format(printf, 1, 2))) err_msg(const char *fmt, ...);

/* Make a decoded string safe for a terminal: non-printable bytes become '?'. */
void sanitize(char *s);

/* s as a JSON string, quoted and escaped, on stdout. */
void json_string(const char *s);

#define TABLE_CELL_MAX (FIELD_MAX * 2 + 8)

/*
 * A generic table: each row holds cells of text; columns are sized to fit.
 * Fill head/right/ncols, table_alloc() the rows, fill cells and sort_key
 * (rows print in ascending key order, stable), set nrows, table_print(),
 * then table_free() (also after a failed table_alloc()).
 *
 * A list too long to hold as cells (hundreds of thousands of SAs take
 * 2.6 kB a row) is printed row by row instead: table_fit() every row's
 * cells to size the columns, then table_head() and table_row() every row
 * again, formatted afresh, in the order wanted.
 */
struct table {
	int ncols;
	const char *head[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS]; /* right-align (numbers) */
	size_t nrows;
	char (*cells)[TABLE_MAX_COLS][TABLE_CELL_MAX];
	uint64_t *sort_key;
	size_t width[TABLE_MAX_COLS]; /* of the columns, by table_fit() */
};

/* Room for rows rows; -1 (message printed) beyond TABLE_MAX_ROWS or out of memory. */
int table_alloc(struct table *t, size_t rows);
void table_print(struct table *t);
/* Set nrows and print the table, or `empty` when it has no rows. */
void table_show(struct table *t, size_t rows, const char *empty);
void table_free(struct table *t);

/* Row by row: widen the columns to fit one row, print the header, print one row. */
void table_fit(struct table *t, const char (*cells)[TABLE_CELL_MAX]);
void table_head(const struct table *t);
void table_row(const struct table *t, const char (*cells)[TABLE_CELL_MAX]);

#endif
