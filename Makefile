# leadconv: PGXS build.  `make report` and `make test` do everything on a
# fresh Debian machine (see README.md); the rest are the usual PGXS targets.

EXTENSION = leadconv
MODULE_big = leadconv
OBJS = src/compat.o src/source.o src/columns.o src/strhash.o src/localtime.o src/arena.o \
	src/details.o src/digest.o src/spill.o src/parts.o src/firsts.o src/pass.o src/compute.o \
	src/events.o src/fanout.o \
	src/sink.o src/output.o src/parallel.o src/facts.o src/swap.o src/refresh.o \
	src/maintain.o src/populate.o src/anomalies.o src/leadconv.o
DATA = leadconv--1.0.sql leadconv--1.0--1.1.sql leadconv--1.1--1.2.sql
PGFILEDESC = "leadconv - lead conversions of the gym brief"

REGRESS = setup part1_users part1_zones part1_firsts part1_details part1_types \
	part1_values part1_errors security anomalies part2 parallel facts auto_refresh glofox \
	comments install_schema upgrade
ISOLATION = refresh concurrent_refresh snapshot_writer facts_vacuum refresh_swap \
	temp_tablespace source_lock enable_again

# The usual default: the pg_config on PATH (make test and the scripts set
# it to the Debian server they install and test).
PG_CONFIG ?= pg_config
# Our code builds clean with -Wall -Wextra -Werror.  The server headers are
# included as system headers: under -Wextra they warn of their own unused
# parameters, which are not ours to fix.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS = -Wall -Wextra -Werror
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild everything when one changes
$(OBJS): $(wildcard src/*.h)

.PHONY: test test-versions report fuzz bench sanitize sanitize-valgrind
test:
	bash scripts/test.sh

# The tests on PostgreSQL 17, 18 and 19, each in a chroot of the Debian suite
# that packages it (cached in /var/cache/leadconv/chroots); see
# scripts/test_versions.sh.  SEEDS= fuzz seeds per version (default 100).
test-versions:
	SEEDS="$(SEEDS)" bash scripts/test_versions.sh

# Differential fuzzing against the plain-SQL reference (test/fuzz/, see
# scripts/fuzz.sh): 10 minutes by default; SEEDS=, DURATION=, FIRST_SEED=
# override, e.g. `make fuzz SEEDS=5000` or `make fuzz DURATION=3600`.
fuzz: install
	bash scripts/fuzz.sh $(if $(SEEDS)$(DURATION),,DURATION=600) \
		$(if $(SEEDS),SEEDS=$(SEEDS)) $(if $(DURATION),DURATION=$(DURATION)) \
		$(if $(FIRST_SEED),FIRST_SEED=$(FIRST_SEED))

# The whole regression suite against a private server copy, leadconv built
# with AddressSanitizer and UndefinedBehaviorSanitizer (or run under
# valgrind); fails on any report.  Nothing system-wide is touched.
sanitize:
	bash scripts/sanitize.sh
sanitize-valgrind:
	bash scripts/sanitize.sh --valgrind

# leadconv against the best plain SQL, at N users (default 1,000,000)
bench:
	bash scripts/bench.sh

# PGXS reserves DATA: the brief's CSV folder is CSV_DIR.  DB= reports your
# own database (docs/report.md); PGDATABASE= on make's command line means the
# same, but one merely exported in the environment never does.
report:
	OUT="$(OUT)" SETUP="$(SETUP)" CSV_DIR="$(CSV_DIR)" REFRESH="$(REFRESH)" \
		DB="$(or $(DB),$(if $(filter command line,$(origin PGDATABASE)),$(PGDATABASE)))" \
		POPULATE="$(POPULATE)" bash scripts/report.sh
