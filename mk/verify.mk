# mk/verify.mk: hypercore feed verification, the observation model, photo checks.
libsdcore_a_SOURCES += src/core/feed.c src/core/feed.h src/core/entries.c src/core/entries.h \
	src/core/media.c src/core/media.h
