# What the config reader says about a config file: for the operator, in the language of LANG.
