# Köprü: iletimler hakkında sekretaryaya bildirilenler.

# $reason platformun kendi sözleridir; $command yeniden başlatmak için gönderilecek komuttur.
notice-room-paused = ⏸️ { $pillar } çalışma grubunun { $platform } odası { $room } için iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: iletiler sırasını koruyarak bekliyor. Sorun giderilince `{ $command }` gönderin.
notice-secretariat-room-paused = ⏸️ Sekretaryanın { $platform } odası { $room } için iletimler duraklatıldı: { $platform } art arda { $count } iletimi reddetti ({ $reason }). Hiçbir şey kaybolmadı: iletiler sırasını koruyarak bekliyor. Sorun giderilince `{ $command }` gönderin.

## Aktarılamayan dosyalar, odanın dilinde ($name dosyanın kendi adıdır).
file-too-large = 📎 { $name } ({ $size }, aktarılamayacak kadar büyük)
file-not-fetched = 📎 { $name } aktarılamadı

## Botun, yapılanı okumadan önce Discord tarafında söyledikleri; kişinin Discord
## istemcisinin dilinde.
adapter-answer-field = Yanıtınız
adapter-not-bridged = magnet bu kanalı köprülemiyor; burada yapacağı bir şey yok.
adapter-form-expired = Bu form ben yeniden başlamadan önce açılmıştı ve kayboldu: lütfen komutu yeniden çalıştırın.
