# Komut satırının insanlar için yazdıkları, LANG dilinde.

## `magnet --help`: programın, her komutun ve seçeneğin ne işe yaradığı.
cli-about = Matrix ve Discord üzerindeki bir ağ için köprü, toplantılar, anketler, özetler ve raporlar
cli-heading-usage = Kullanım:
cli-heading-commands = Komutlar
cli-heading-options = Seçenekler
cli-heading-arguments = Bağımsız değişkenler
cli-flag-help = Yardımı göster
cli-flag-version = Sürümü göster
cli-arg-config = Yapılandırma dosyası. Verilmezse, varsa config/magnet.toml, yoksa gömülü varsayılanlar (data/ içinde SQLite, sohbet platformu yok) kullanılır.
cli-cmd-run = Botu çalıştırır: depolama, geçişler, sağlık uç noktası ve yapılandırılmış platformlar; SIGINT ya da SIGTERM gelene dek.
cli-cmd-check-config = Bir yapılandırma dosyasını doğrular ve çözümlenmiş hâlini yazar. Hata varsa her birini dosya, satır ve anahtarıyla listeler ve 1 koduyla çıkar.
cli-arg-check-config-path = Denetlenecek dosya (--config yerine geçer).
cli-cmd-migrate = Veritabanı geçişlerini uygular ve çıkar.
cli-cmd-report = Bir dönemin raporunu (--from ve --to verilmezse geçen ayın) çıktı klasörünün altında kendi klasörüne yazar.
cli-arg-report-from = İlk gün, YYYY-AA-GG.
cli-arg-report-to = Son gün, YYYY-AA-GG.
cli-arg-report-pillar = Yalnızca bu çalışma grubu.
cli-arg-report-format = markdown, html, csv; virgülle ayrılmış (varsayılan: [reports] formats).
cli-arg-report-output = [reports] output_dir yerine bu klasörün altına yazar.
cli-cmd-calendar = Bir çalışma grubunun toplantılarını iCalendar akışı olarak yazar (HTTP dinleyicisinin sunduğu akışın aynısı).
cli-arg-calendar-pillar = Çalışma grubunun kimliği.
cli-arg-calendar-output = Standart çıktı yerine bu dosyaya yaz.
cli-arg-calendar-link = Bunun yerine akışın HTTP dinleyicisindeki gizli adresini yaz (çalışma grubu üyelerine verilmek üzere; [http] calendar_secret_env ya da calendar_secret_file gerekir).

## Komutların yazdıkları.
# $help yardımı gösteren komuttur.
cli-help-hint = Daha fazlası için `{ $help }` çalıştırın.
cli-config-ok = yapılandırma geçerli
cli-migrated = veritabanı güncellendi: { $count } geçiş uygulandı, en yeni sürüm { $version }
# $known yapılandırılmış çalışma gruplarının kimliklerini listeler.
cli-no-pillar = `{ $pillar }` adlı bir çalışma grubu yok; çalışma grupları: { $known }
cli-calendar-needs-secret = takvim akışları yalnızca bir gizli anahtarla sunulur: [http] calendar_secret_env ya da calendar_secret_file ayarlayın
cli-calendar-secret-unreadable = takvimin gizli anahtarı okunamadı: { $error }
cli-cannot-write = { $path } yazılamadı: { $error }
cli-no-runtime = eşzamansız çalışma ortamı başlatılamadı: { $error }
cli-cmd-survey = Anketler, sekretaryanın dosyaları için.
cli-cmd-survey-export = Bir anketi (soruları, sonuçları, yanıtları ve yanıt oranı) CSV ya da JSON olarak yazar; anonim bir anketin yanıtlarında yanıtlayan yoktur.
cli-arg-survey-export-id = Anketin numarası.
cli-arg-survey-export-format = csv (yanıt başına bir satır) ya da json.
cli-arg-survey-export-output = Standart çıktı yerine bu dosyaya yaz.
cli-no-survey = #{ $id } numaralı bir anket yok
