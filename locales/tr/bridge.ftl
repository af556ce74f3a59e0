# Köprü: iletimler hakkında sekretaryaya bildirilenler.

# $reason platformun kendi sözleridir; $command yeniden başlatmak için gönderilecek komuttur.
notice-room-paused = ⏸️ { $platform } odasına { $room } ({ $pillar } çalışma grubu) iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: sırayla bekliyorlar. Sorun giderilince `{ $command }` gönderin.
notice-secretariat-room-paused = ⏸️ Sekretaryanın { $platform } odasına { $room } iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: sırayla bekliyorlar. Sorun giderilince `{ $command }` gönderin.
