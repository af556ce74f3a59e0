# What the command line prints for people, in the language of LANG.
