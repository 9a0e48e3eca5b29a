# mk/reader.mk: see Makefile.am
