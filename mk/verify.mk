# mk/verify.mk: see Makefile.am
