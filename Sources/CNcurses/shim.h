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

// Mouse masks are macro expressions (NCURSES_MOUSE_MASK), which Swift cannot import.
static inline mmask_t tfc_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t tfc_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t tfc_button4_pressed(void) { return BUTTON4_PRESSED; }
#ifdef BUTTON5_PRESSED
static inline mmask_t tfc_button5_pressed(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t tfc_button5_pressed(void) { return 0; }
#endif
// wget_wch's "function key" answer and the key codes are macros too; typed here so the
// decoder's switch reads plainly.
static inline int tfc_key_code_yes(void) { return KEY_CODE_YES; }
static inline int tfc_key_mouse(void) { return KEY_MOUSE; }
// curscr is a macro over a function in some ncurses builds.
static inline WINDOW *tfc_curscr(void) { return curscr; }
#include <langinfo.h>
// The locale's character set ("UTF-8" under LANG=C.UTF-8), after setlocale.
static inline const char *tfc_codeset(void) { return nl_langinfo(CODESET); }
// stdin/stdout and COLOR_PAIRS are mutable C globals, which Swift 6 refuses to touch.
static inline SCREEN *tfc_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int tfc_color_pairs(void) { return COLOR_PAIRS; }
#include <signal.h>
#include <string.h>
// struct sigaction shares its name with the function, so Swift cannot build one
// plainly; these install a plain handler (reset to default after one delivery) and
// put a saved action back.
typedef struct sigaction tfc_sigaction_t;
static inline struct sigaction tfc_sigaction_zero(void) { struct sigaction s; memset(&s, 0, sizeof s); return s; }
static inline int tfc_sigaction_install(int sig, void (*handler)(int), struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    return sigaction(sig, &sa, old);
}
static inline int tfc_sigaction_restore(int sig, const struct sigaction *saved) { return sigaction(sig, saved, NULL); }
#endif
