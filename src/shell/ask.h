/* ask.h - questions at the terminal while a command waits: yes/no
 * questions, passwords, trusting a certificate. */
#ifndef FERRY_ASK_H
#define FERRY_ASK_H

#include <stdbool.h>

struct cmdctx;
struct session;
struct session_pass_q;
struct shell;

/* Ask the user a question on the terminal while a command is pending;
 * fn gets the line typed, or NULL on Ctrl-C or end of input.  Only when
 * shell_can_ask(). */
void shell_ask(struct shell *sh, const char *question,
               void (*fn)(struct shell *sh, const char *answer, void *arg), void *arg);
/* The same with the answer not shown as it is typed, and wiped from
 * readline's buffer after fn (a password).  Never in the history. */
void shell_ask_secret(struct shell *sh, const char *question,
                      void (*fn)(struct shell *sh, const char *answer, void *arg),
                      void *arg);
/* Ctrl-C: an open question is answered NULL (no): true; false when no
 * question is open. */
bool shell_ask_interrupt(struct shell *sh);

/* session_need_password's asker (session_reg_set_asker, arg the shell):
 * "Password for USER@HOST: " for the foreground command only, one
 * question at a time; false, asking nothing, otherwise. */
bool shell_ask_password(void *arg, struct session *s, struct session_pass_q *q);

/* After a certificate failed verification for s: when a person can be
 * asked, ask whether to trust it once or always, and call done(ctx, true)
 * if they do (the session then accepts that certificate), done(ctx, false)
 * if not.  Returns false, asking nothing, otherwise. */
bool shell_offer_trust(struct shell *sh, struct session *s,
                       void (*done)(struct cmdctx *ctx, bool trusted),
                       struct cmdctx *ctx);

/* cmd_host's ask: a question for the foreground command of a person at
 * the terminal (post's "edit again?", rm -r's "remove DIR ...?"); never
 * for a background job, in batch use or while another question is open.
 * fn(arg, answer) as for shell_ask. */
bool shell_host_ask(struct cmdctx *ctx, const char *question,
                    void (*fn)(void *arg, const char *answer), void *arg);

#endif
