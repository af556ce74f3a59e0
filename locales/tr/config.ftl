# Yapılandırma okuyucusunun bir yapılandırma dosyası hakkında söyledikleri: işletmeci için, LANG dilinde.
