# Köprü: iletimler hakkında sekretaryaya bildirilenler.

# $reason platformun kendi sözleridir; $command yeniden başlatmak için gönderilecek komuttur.
notice-room-paused = ⏸️ { $platform } odasına { $room } ({ $pillar } çalışma grubu) iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: sırayla bekliyorlar. Sorun giderilince `{ $command }` gönderin.
notice-secretariat-room-paused = ⏸️ Sekretaryanın { $platform } odasına { $room } iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: sırayla bekliyorlar. Sorun giderilince `{ $command }` gönderin.

## Aktarılamayan dosyalar, odanın dilinde ($name dosyanın kendi adıdır).
file-too-large = 📎 { $name } ({ $size }, aktarılamayacak kadar büyük)
file-not-fetched = 📎 { $name } aktarılamadı

## Botun, yapılanı okumadan önce Discord tarafında söyledikleri; kişinin Discord
## istemcisinin dilinde.
adapter-answer-field = Yanıtınız
adapter-not-bridged = magnet bu kanalı köprülemiyor; burada yapacağı bir şey yok.
