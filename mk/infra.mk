# mk/infra.mk: see Makefile.am
