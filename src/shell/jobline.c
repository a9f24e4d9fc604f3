/* jobline.c - the background jobs' progress lines (see jobline.h). */
#include "jobline.h"

#include <stdlib.h>

#include "config.h"
#include "err.h"
#include "ev.h"
#include "job.h"
#include "rllib.h"
#include "shell.h"
#include "ui.h"

#define JOBLINE_MS 250   /* four drawings a second, as a transfer's line */
#define JOBLINE_MAX 8    /* lines at most; then "[+N more]" */

static struct shell *owner; /* for jobline_accept, a readline callback */

/* While the prompt shows (not a question's), under xfer:progress as for
 * a transfer in the foreground; and not while readline shows a prompt of
 * its own (a history search, a numeric argument, a key sequence half
 * typed), which hiding and showing the line would replace with ours: the
 * lines wait for it to end. */
static bool drawing(struct shell *sh)
{
	if (!sh->interactive || !sh->rl_active || sh->ask_fn)
		return false;
	if (RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH | RL_STATE_SEARCH |
	               RL_STATE_NUMERICARG | RL_STATE_MOREINPUT | RL_STATE_MULTIKEY |
	               RL_STATE_VIMOTION | RL_STATE_CHARSEARCH | RL_STATE_COMPLETING))
		return false;
	return ui_progress_wanted(config_str(sh->cfg, "xfer:progress"));
}

static bool any_background(struct shell *sh)
{
	for (struct job *j = sh->jobs.list; j; j = j->next)
		if (j->background && j->ctx)
			return true;
	return false;
}

void jobline_refresh(struct shell *sh)
{
	int64_t now = ev_now_ms(sh->ev);
	char *lines[JOBLINE_MAX];
	size_t n = 0, more = 0;
	for (struct job *j = sh->jobs.list; j; j = j->next) {
		if (!j->background || !job_moving(j))
			continue;
		job_sample(j, now);
		if (n < JOBLINE_MAX)
			lines[n++] = job_progress(j);
		else
			more++;
	}
	if (more) {
		free(lines[JOBLINE_MAX - 1]);
		lines[JOBLINE_MAX - 1] = xasprintf("[+%zu more: jobs lists them]", more + 1);
	}
	if (drawing(sh))
		ui_status((const char *const *)lines, n);
	for (size_t k = 0; k < n; k++)
		free(lines[k]);
}

static long tick(void *arg)
{
	struct shell *sh = arg;
	jobline_refresh(sh);
	if (any_background(sh))
		return JOBLINE_MS;
	sh->jobline = NULL;
	return 0;
}

void jobline_watch(struct shell *sh)
{
	owner = sh;
	if (!sh->jobline)
		sh->jobline = ev_timer_add(sh->ev, JOBLINE_MS, tick, sh);
}

void jobline_hide(struct shell *sh)
{
	(void)sh;
	ui_status_hide();
}

int jobline_accept(int count, int key)
{
	if (owner)
		jobline_hide(owner);
	return rl_newline(count, key);
}

int jobline_complete(int count, int key)
{
	if (owner)
		jobline_hide(owner);
	/* Tab twice lists the names: readline knows it by the last command
	 * run, which is this one, not its own. */
	if (rl_last_func == jobline_complete)
		rl_last_func = rl_complete;
	int r = rl_complete(count, key);
	if (owner)
		jobline_refresh(owner);
	return r;
}

void jobline_stop(struct shell *sh)
{
	if (sh->jobline) {
		ev_timer_del(sh->jobline);
		sh->jobline = NULL;
	}
	ui_status_forget();
}
