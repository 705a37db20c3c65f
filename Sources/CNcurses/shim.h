// The one place that includes ncursesw. Wide-character calls need
// _XOPEN_SOURCE_EXTENDED before the header; COLOR_PAIR, getmaxyx and friends are
// macros, so they become typed, prefixed inline functions here.
#ifndef TFC_CNCURSES_SHIM_H
#define TFC_CNCURSES_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

static inline int tfc_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline void tfc_getmaxyx(WINDOW *w, int *rows, int *cols) { int y, x; getmaxyx(w, y, x); *rows = y; *cols = x; }
static inline WINDOW *tfc_stdscr(void) { return stdscr; }
static inline int tfc_colors(void) { return COLORS; }
static inline int tfc_key_resize(void) { return KEY_RESIZE; }
static inline int tfc_err(void) { return ERR; }
static inline int tfc_ok(void) { return OK; }
static inline attr_t tfc_a_bold(void) { return A_BOLD; }
static inline attr_t tfc_a_reverse(void) { return A_REVERSE; }
static inline attr_t tfc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tfc_a_dim(void) { return A_DIM; }
static inline attr_t tfc_a_normal(void) { return A_NORMAL; }
#endif
