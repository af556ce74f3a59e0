# Komut satırının insanlar için yazdıkları, LANG dilinde.
