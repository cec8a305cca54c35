/* admin.h - the admin API's token.
 *
 * Thread-safety: admin_token_load runs once at startup. */
#ifndef TOKD_SERVER_ADMIN_H
#define TOKD_SERVER_ADMIN_H

#include "app.h"

/* Read the admin token from TOKD_ADMIN_TOKEN or else admin_token_file into
 * a->admin_token ("" when neither is set: the admin API answers 403).
 * Returns 0, or -1 after printing why (unreadable file, token too short). */
int admin_token_load(app *a);

#endif
