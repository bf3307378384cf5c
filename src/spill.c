/*
 * spill.c
 *		Temporary files of source rows waiting for their pass.
 *
 * Written once front to back, then read once front to back.  BufFile would
 * do, but it moves 8 kB per system call, and the rows of the later parts of
 * a large run are most of the data: the caller chooses a larger buffer
 * (firsts.c says how large).  The files are fd.c temporary files, so
 * temp_file_limit applies and an error removes them.
 *
 * In a parallel call the files are named in the call's shared file set, so
 * that another process can read a part its writer has not begun (firsts.c):
 * the writer keeps them when it is done writing, and whoever reads one
 * deletes it.
 */
#include "postgres.h"

#include <fcntl.h>

#include "commands/tablespace.h"
#include "storage/fd.h"
#include "storage/sharedfileset.h"
#include "utils/resowner.h"

#include "compat.h"
#include "spill.h"

struct LcSpillFile
{
	File		file;
	SharedFileSet *shared;		/* NULL: a file of this process alone */
	char	   *name;			/* in shared */
	off_t		size;			/* bytes in the file */
	off_t		offset;			/* of the buffer's bytes: write end or read start */
	char	   *buffer;
	Size		buffer_size;
	Size		used;			/* bytes in the buffer */
	Size		pos;			/* read position in the buffer */
};

static LcSpillFile *
spill_new(File file, SharedFileSet *shared, const char *name, Size buffer)
{
	LcSpillFile *f = palloc0(sizeof(LcSpillFile));

	f->file = file;
	if (shared != NULL)
	{
		f->shared = shared;
		f->name = pstrdup(name);
	}
	f->buffer_size = buffer;
	f->buffer = palloc(buffer);
	return f;
}

/*
 * A new file to write, this process's alone (shared NULL) or named in a
 * shared file set.  It lives as long as owner, not the current portal.
 */
LcSpillFile *
lc_spill_create(ResourceOwner owner, Size buffer, SharedFileSet *shared, const char *name)
{
	ResourceOwner oldowner = CurrentResourceOwner;
	File		file;

	/* in temp_tablespaces, as a sort's or a tuplestore's files would be */
	PrepareTempTablespaces();
	CurrentResourceOwner = owner;
	file = shared != NULL ? FileSetCreate(LC_FILESET(shared), name) : OpenTemporaryFile(false);
	CurrentResourceOwner = oldowner;
	return spill_new(file, shared, name, buffer);
}

/* A file of a shared set to read from the start; NULL when there is none. */
LcSpillFile *
lc_spill_open(SharedFileSet *shared, const char *name, Size buffer)
{
	File		file = FileSetOpen(LC_FILESET(shared), name, O_RDONLY);
	LcSpillFile *f;

	if (file <= 0)
		return NULL;
	f = spill_new(file, shared, name, buffer);
	f->size = FileSize(file);
	if (f->size < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not determine size of leadconv temporary file \"%s\": %m",
						name)));
	return f;
}

static void
flush(LcSpillFile *f, const char *data, Size len)
{
	while (len > 0)
	{
		int			chunk = (int) Min(len, (Size) (1 << 30));
		int			written = FileWrite(f->file, (char *) data, chunk, f->size,
										WAIT_EVENT_BUFFILE_WRITE);

		if (written != chunk)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write leadconv temporary file: %m")));
		f->size += written;
		data += written;
		len -= written;
	}
}

void
lc_spill_write(LcSpillFile *f, const void *data, Size len)
{
	if (len == 0)				/* an empty value has no bytes, maybe no pointer */
		return;
	if (f->used + len > f->buffer_size)
	{
		flush(f, f->buffer, f->used);
		f->used = 0;
		if (len > f->buffer_size)
		{
			flush(f, data, len);
			return;
		}
	}
	memcpy(f->buffer + f->used, data, len);
	f->used += len;
}

/* Done writing: read from the start. */
void
lc_spill_rewind(LcSpillFile *f)
{
	flush(f, f->buffer, f->used);
	f->used = 0;
	f->pos = 0;
	f->offset = 0;
}

/* Read len bytes; false at the end of the file (and nothing read). */
bool
lc_spill_read(LcSpillFile *f, void *data, Size len)
{
	char	   *to = data;

	while (len > 0)
	{
		Size		chunk;

		if (f->pos == f->used)
		{
			int			got;

			if (f->offset >= f->size)
			{
				if (to == data)
					return false;
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("leadconv temporary file ends in the middle of a row")));
			}
			got = FileRead(f->file, f->buffer,
						   (int) Min(f->buffer_size, (Size) (f->size - f->offset)),
						   f->offset, WAIT_EVENT_BUFFILE_READ);
			if (got <= 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not read leadconv temporary file: %m")));
			f->offset += got;
			f->used = got;
			f->pos = 0;
		}
		chunk = Min(len, f->used - f->pos);
		memcpy(to, f->buffer + f->pos, chunk);
		f->pos += chunk;
		to += chunk;
		len -= chunk;
	}
	return true;
}

/* Done writing a shared file: close it, keeping it for lc_spill_open(). */
void
lc_spill_keep(LcSpillFile *f)
{
	Assert(f->shared != NULL);
	flush(f, f->buffer, f->used);
	FileClose(f->file);
	pfree(f->name);
	pfree(f->buffer);
	pfree(f);
}

/* Close a file and delete it. */
void
lc_spill_close(LcSpillFile *f)
{
	FileClose(f->file);
	if (f->shared != NULL)
	{
		(void) FileSetDelete(LC_FILESET(f->shared), f->name, true);
		pfree(f->name);
	}
	pfree(f->buffer);
	pfree(f);
}
