/* log.h — what cordon says about itself while it works.
 *
 * The bottom layer, beside util.h: it knows the jail's options only by
 * name, so that util.h and the profile module need nothing of the core. */
#ifndef CORDON_LOG_H
#define CORDON_LOG_H

struct jail_options;

/* With -v, say one setup step on stderr as "cordon: ...". */
void say (const struct jail_options *opts, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

#endif
