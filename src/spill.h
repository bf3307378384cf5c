/*
 * spill.h
 *		Temporary files of source rows waiting for their pass.
 */
#ifndef LEADCONV_SPILL_H
#define LEADCONV_SPILL_H

#include "postgres.h"
#include "storage/sharedfileset.h"
#include "utils/resowner.h"

typedef struct LcSpillFile LcSpillFile;

extern LcSpillFile *lc_spill_create(ResourceOwner owner, Size buffer,
									SharedFileSet *shared, const char *name);
extern LcSpillFile *lc_spill_open(SharedFileSet *shared, const char *name, Size buffer);
extern void lc_spill_write(LcSpillFile *f, const void *data, Size len);
extern void lc_spill_rewind(LcSpillFile *f);
extern bool lc_spill_read(LcSpillFile *f, void *data, Size len);
extern void lc_spill_keep(LcSpillFile *f);
extern void lc_spill_close(LcSpillFile *f);

#endif							/* LEADCONV_SPILL_H */
