/* rllib.h - GNU Readline, loaded when the shell first reads a terminal;
 * private to the shell's terminal code (shell.c, ask.c, complete.c).
 *
 * A script (-c, -f, standard input not a terminal) never edits a line,
 * yet a linked Readline and its terminfo library are mapped and relocated
 * in every run: 0.3 to 0.4 MiB of resident memory, the margin between a
 * 1 GiB FTPS get under 6 MiB and over it.  So ferry does not link it: the
 * names below go through a table that rllib_load() fills with dlopen()
 * and dlsym() before the interactive shell starts, as net/tlslib.c does
 * for GnuTLS.  The headers are Readline's own: every call and every
 * variable keeps its declared type.
 *
 * Include this header instead of <readline/readline.h> and
 * <readline/history.h>; after it, each name below means the loaded one
 * (a function pointer, or the variable itself through a pointer).  Only
 * valid once rllib_load() returned true: the shell loads it before it
 * touches the terminal, and a machine without the library runs the
 * terminal as a script, with a warning.
 */
#ifndef FERRY_RLLIB_H
#define FERRY_RLLIB_H

#include <stdbool.h>
#include <stdio.h>

#include <readline/history.h>
#include <readline/readline.h>

#define RLLIB_FUNCTIONS(X) \
	X(add_history) X(free_history_entry) X(history_get) X(read_history) \
	X(replace_history_entry) X(rl_bind_key_in_map) \
	X(rl_callback_handler_install) \
	X(rl_callback_handler_remove) X(rl_callback_read_char) \
	X(rl_callback_sigcleanup) X(rl_complete) X(rl_completion_matches) \
	X(rl_copy_text) X(rl_crlf) X(rl_deprep_terminal) \
	X(rl_filename_completion_function) X(rl_forced_update_display) \
	X(rl_get_keymap_by_name) X(rl_newline) \
	X(rl_on_new_line) X(rl_prep_terminal) X(rl_redisplay) \
	X(rl_replace_line) X(rl_resize_terminal) X(rl_set_prompt) \
	X(stifle_history) X(write_history)

#define RLLIB_VARIABLES(X) \
	X(history_base) X(history_length) X(rl_attempted_completion_function) \
	X(rl_attempted_completion_over) X(rl_catch_signals) \
	X(rl_catch_sigwinch) X(rl_completer_quote_characters) \
	X(rl_completer_word_break_characters) \
	X(rl_completion_suppress_append) X(rl_end) \
	X(rl_filename_completion_desired) X(rl_filename_quote_characters) \
	X(rl_last_func) \
	X(rl_line_buffer) X(rl_outstream) X(rl_point) X(rl_prompt) \
	X(rl_readline_name) X(rl_readline_state) X(rl_redisplay_function)

struct rllib {
#define RLLIB_FN(f) __typeof__(f) *f_##f;
	RLLIB_FUNCTIONS(RLLIB_FN)
#undef RLLIB_FN
#define RLLIB_VAR(v) __typeof__(v) *v_##v;
	RLLIB_VARIABLES(RLLIB_VAR)
#undef RLLIB_VAR
};

extern struct rllib rllib;

/* Loads Readline once (later calls return the first outcome): false with
 * rllib_error() saying why. */
bool rllib_load(void);
const char *rllib_error(void);

/* From here on, the names are the table's (rllib.c, which fills it,
 * defines RLLIB_NO_NAMES). */
#ifndef RLLIB_NO_NAMES
#define add_history (*rllib.f_add_history)
#define free_history_entry (*rllib.f_free_history_entry)
#define history_get (*rllib.f_history_get)
#define read_history (*rllib.f_read_history)
#define replace_history_entry (*rllib.f_replace_history_entry)
#define rl_bind_key_in_map (*rllib.f_rl_bind_key_in_map)
#define rl_callback_handler_install (*rllib.f_rl_callback_handler_install)
#define rl_callback_handler_remove (*rllib.f_rl_callback_handler_remove)
#define rl_callback_read_char (*rllib.f_rl_callback_read_char)
#define rl_callback_sigcleanup (*rllib.f_rl_callback_sigcleanup)
#define rl_complete (*rllib.f_rl_complete)
#define rl_completion_matches (*rllib.f_rl_completion_matches)
#define rl_copy_text (*rllib.f_rl_copy_text)
#define rl_crlf (*rllib.f_rl_crlf)
#define rl_deprep_terminal (*rllib.f_rl_deprep_terminal)
#define rl_filename_completion_function (*rllib.f_rl_filename_completion_function)
#define rl_forced_update_display (*rllib.f_rl_forced_update_display)
#define rl_get_keymap_by_name (*rllib.f_rl_get_keymap_by_name)
#define rl_newline (*rllib.f_rl_newline)
#define rl_on_new_line (*rllib.f_rl_on_new_line)
#define rl_prep_terminal (*rllib.f_rl_prep_terminal)
#define rl_redisplay (*rllib.f_rl_redisplay)
#define rl_replace_line (*rllib.f_rl_replace_line)
#define rl_resize_terminal (*rllib.f_rl_resize_terminal)
#define rl_set_prompt (*rllib.f_rl_set_prompt)
#define stifle_history (*rllib.f_stifle_history)
#define write_history (*rllib.f_write_history)
#define history_base (*rllib.v_history_base)
#define history_length (*rllib.v_history_length)
#define rl_attempted_completion_function (*rllib.v_rl_attempted_completion_function)
#define rl_attempted_completion_over (*rllib.v_rl_attempted_completion_over)
#define rl_catch_signals (*rllib.v_rl_catch_signals)
#define rl_catch_sigwinch (*rllib.v_rl_catch_sigwinch)
#define rl_completer_quote_characters (*rllib.v_rl_completer_quote_characters)
#define rl_completer_word_break_characters (*rllib.v_rl_completer_word_break_characters)
#define rl_completion_suppress_append (*rllib.v_rl_completion_suppress_append)
#define rl_end (*rllib.v_rl_end)
#define rl_filename_completion_desired (*rllib.v_rl_filename_completion_desired)
#define rl_filename_quote_characters (*rllib.v_rl_filename_quote_characters)
#define rl_last_func (*rllib.v_rl_last_func)
#define rl_line_buffer (*rllib.v_rl_line_buffer)
#define rl_outstream (*rllib.v_rl_outstream)
#define rl_point (*rllib.v_rl_point)
#define rl_prompt (*rllib.v_rl_prompt)
#define rl_readline_name (*rllib.v_rl_readline_name)
#define rl_readline_state (*rllib.v_rl_readline_state)
#define rl_redisplay_function (*rllib.v_rl_redisplay_function)
#endif

#endif
