# mk/reader.mk: the tolerant tar code and the sync file reader.
libsdcore_a_SOURCES += src/core/tar.c src/core/tar.h src/core/syncfile.c src/core/syncfile.h
