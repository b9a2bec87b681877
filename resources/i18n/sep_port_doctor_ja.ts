<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>DiagnosticsWizard</name>
    <message>
        <location filename="../../gui/wizard/controller.py" line="239"/>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 戻る(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="240"/>
        <source>&amp;Next &gt;</source>
        <translation>次へ(&amp;N) &gt;</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="241"/>
        <source>Fi&amp;nish</source>
        <translation>完了(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="243"/>
        <source>Start a new diagnosis (asks first if the results were not exported)</source>
        <translation>新しい診断を始めます(結果を書き出していなければ先に確認します)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="336"/>
        <source>Checking %1 (SEP %2, %3)…</source>
        <translation>%1 を確認しています(SEP %2、%3)…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="387"/>
        <source>Cancelled after %1: %2 checks had no answer. So far: %3</source>
        <translation>%1で中止しました: %2 件の確認に応答がありません。ここまでの結果: %3</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="390"/>
        <source>Done in %1: %2</source>
        <translation>%1で完了しました: %2</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="392"/>
        <source>(%1 display errors, the checks went on; details in the log)</source>
        <translation>(表示エラー %1 件。確認は続行しました。詳細はログにあります)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="402"/>
        <source>A result could not be shown (%1); the checks go on.</source>
        <translation>結果を表示できませんでした(%1)。確認は続行します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="423"/>
        <source>The summary is on the clipboard.</source>
        <translation>概要をクリップボードにコピーしました。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="464"/>
        <location filename="../../gui/wizard/controller.py" line="472"/>
        <source>Not exported: %1</source>
        <translation>書き出せませんでした: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="467"/>
        <source>Writing the report…</source>
        <translation>レポートを書き込んでいます…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="483"/>
        <source>Exported: %1 and %2</source>
        <translation>書き出しました: %1 と %2</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="486"/>
        <source>Report written: %1</source>
        <translation>レポートを書き込みました: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="499"/>
        <source>Finish</source>
        <translation>完了</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="506"/>
        <source>New diagnosis</source>
        <translation>新しい診断</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="511"/>
        <source>The results have not been exported.</source>
        <translation>結果はまだ書き出されていません。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="514"/>
        <source>Export them now, discard them, or go back to them?</source>
        <translation>今すぐ書き出しますか、破棄しますか、それとも結果に戻りますか?</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="515"/>
        <source>&amp;Export</source>
        <translation>書き出し(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="516"/>
        <source>&amp;Discard</source>
        <translation>破棄(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="517"/>
        <source>&amp;Back</source>
        <translation>戻る(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/controller.py" line="555"/>
        <source>New diagnosis.</source>
        <translation>新しい診断を始めました。</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="70"/>
        <source>Export the report</source>
        <translation>レポートの書き出し</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="71"/>
        <source>One HTML file to attach to the ticket, and the same results as JSON beside it.</source>
        <translation>チケットに添付する HTML ファイル 1 つと、その隣に同じ結果の JSON を書き出します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="72"/>
        <source>&amp;Save the report as:</source>
        <translation>レポートの保存先(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="95"/>
        <source>Save the report as</source>
        <translation>レポートの保存先</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="73"/>
        <source>Bro&amp;wse…</source>
        <translation>参照(&amp;W)…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="74"/>
        <source>&amp;Export</source>
        <translation>書き出し(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="75"/>
        <source>&amp;Open the report</source>
        <translation>レポートを開く(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="76"/>
        <source>Open the report &amp;after exporting</source>
        <translation>書き出した後にレポートを開く(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/export.py" line="95"/>
        <source>HTML report (*.html)</source>
        <translation>HTML レポート (*.html)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="105"/>
        <source>Some settings could not be read; the defaults are used instead.</source>
        <translation>一部の設定を読み取れませんでした。既定値を使います。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="180"/>
        <source>SEP Port Doctor</source>
        <translation>SEP Port Doctor</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="181"/>
        <source>Port &amp;reference</source>
        <translation>ポートリファレンス(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="183"/>
        <source>&amp;Diagnostics</source>
        <translation>診断(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="184"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="185"/>
        <source>&amp;New diagnosis</source>
        <translation>新しい診断(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="186"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="187"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="188"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="189"/>
        <source>Follow the system (%1)</source>
        <translation>システムに合わせる(%1)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="192"/>
        <source>Port reference</source>
        <translation>ポートリファレンス</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="193"/>
        <source>Diagnostics</source>
        <translation>診断</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="194"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="195"/>
        <source>&amp;About SEP Port Doctor</source>
        <translation>SEP Port Doctor について(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="204"/>
        <source>About SEP Port Doctor</source>
        <translation>SEP Port Doctor について</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="206"/>
        <source>Troubleshoots the network ports of Symantec Endpoint Protection.
Port data: the vendor&apos;s Japanese port page.</source>
        <translation>Symantec Endpoint Protection の通信ポートのトラブルシューティングツールです。
ポートのデータ: ベンダーの日本語の通信ポートのページ。</translation>
    </message>
</context>
<context>
    <name>PortTableModel</name>
    <message>
        <location filename="../../gui/port_model.py" line="34"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="35"/>
        <source>Purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="36"/>
        <source>Listening process</source>
        <translation>応答準備プロセス</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="37"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="38"/>
        <source>Port change</source>
        <translation>ポート変更</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="39"/>
        <source>Versions</source>
        <translation>適用可能なバージョン</translation>
    </message>
    <message>
        <location filename="../../gui/port_model.py" line="109"/>
        <source>Does not apply to this version</source>
        <translation>このバージョンには対象外</translation>
    </message>
</context>
<context>
    <name>PushResultsPage</name>
    <message>
        <location filename="../../gui/wizard/push.py" line="404"/>
        <source>Push readiness</source>
        <translation>プッシュ配備の準備状況</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="406"/>
        <source>The targets grouped by what was found. Select a group or a PC for its path and what to do.</source>
        <translation>結果ごとにまとめた対象です。グループか PC を選ぶと、経路と対処が表示されます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="408"/>
        <source>Rou&amp;tes from this PC:</source>
        <translation>この PC からの送信経路(&amp;T):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="409"/>
        <source>Routes from this PC</source>
        <translation>この PC からの送信経路</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="412"/>
        <source>Source address</source>
        <translation>送信元アドレス</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="413"/>
        <source>Interface</source>
        <translation>インターフェイス</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="414"/>
        <source>Gateway</source>
        <translation>ゲートウェイ</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="415"/>
        <source>Network profile</source>
        <translation>ネットワーク プロファイル</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="416"/>
        <source>PCs</source>
        <translation>PC 数</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="419"/>
        <source>Targets by cause</source>
        <translation>原因ごとの対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="420"/>
        <source>Details</source>
        <translation>詳細</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="421"/>
        <source>&amp;Save the report as:</source>
        <translation>レポートの保存先(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="422"/>
        <source>Save the report as</source>
        <translation>レポートの保存先</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="423"/>
        <source>&amp;Export</source>
        <translation>書き出し(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="517"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="556"/>
        <source>Written: %1 and %2</source>
        <translation>書き出しました: %1 と %2</translation>
    </message>
</context>
<context>
    <name>PushRunPage</name>
    <message>
        <location filename="../../gui/wizard/push.py" line="232"/>
        <source>Checking the targets</source>
        <translation>対象を確認しています</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="221"/>
        <source>Each PC&apos;s ports are filled in as they answer, then its verdict.</source>
        <translation>各 PC のポートは応答があり次第表示され、最後に判定が表示されます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="223"/>
        <source>Target</source>
        <translation>対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="223"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="223"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="224"/>
        <source>&amp;Cancel</source>
        <translation>中止(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="234"/>
        <source>Check of the targets cancelled</source>
        <translation>対象の確認を中止しました</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="236"/>
        <source>Targets checked</source>
        <translation>対象の確認が終わりました</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="251"/>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="337"/>
        <source>%1 of %2 targets checked</source>
        <translation>%2 台中 %1 台を確認しました</translation>
    </message>
</context>
<context>
    <name>PushTargetsPage</name>
    <message>
        <location filename="../../gui/wizard/push.py" line="115"/>
        <source>Push-deployment targets</source>
        <translation>プッシュ配備の対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="116"/>
        <source>Which client PCs should the manager be able to push the SEP client to?</source>
        <translation>管理サーバーから SEP クライアントをプッシュ配備したい PC はどれですか?</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="119"/>
        <source>One target per line: PC names, IP addresses or IPv4 blocks such as 192.168.10.0/24 (at most 1,024 addresses). Lines starting with # are ignored. No credentials are needed: nothing is installed and no share is opened.</source>
        <translation>1 行に 1 つ: PC の名前、IP アドレス、または 192.168.10.0/24 のような IPv4 のブロック(最大 1,024 アドレス)。# で始まる行は無視します。資格情報は不要です: 何もインストールせず、共有も開きません。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="124"/>
        <source>&amp;Targets:</source>
        <translation>対象(&amp;T):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="125"/>
        <source>Targets</source>
        <translation>対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="126"/>
        <source>&amp;Load from a file…</source>
        <translation>ファイルから読み込む(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="127"/>
        <source>Some targets are &amp;Macs (check TCP 22 too)</source>
        <translation>Mac も含む(TCP 22 も確認)(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="136"/>
        <source>Load targets</source>
        <translation>対象の読み込み</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/push.py" line="136"/>
        <source>Text files (*.txt *.csv);;All files (*)</source>
        <translation>テキストファイル (*.txt *.csv);;すべてのファイル (*)</translation>
    </message>
</context>
<context>
    <name>ReferenceView</name>
    <message>
        <location filename="../../gui/reference.py" line="242"/>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="244"/>
        <source>Every word must match, in any order, in Japanese or English</source>
        <translation>すべての語が一致する行を表示します(順不同、日本語・英語どちらでも)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="248"/>
        <source>all versions</source>
        <translation>すべてのバージョン</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="249"/>
        <source>&amp;Protocol:</source>
        <translation>プロトコル(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="245"/>
        <source>SEP v&amp;ersion:</source>
        <translation>SEP バージョン(&amp;E):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="42"/>
        <source>Listening process</source>
        <translation>応答準備プロセス</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="43"/>
        <source>Started by</source>
        <translation>通信の開始</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="44"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="45"/>
        <source>Listens on</source>
        <translation>待ち受ける場所</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="46"/>
        <source>Port change</source>
        <translation>ポート変更</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="47"/>
        <source>Versions</source>
        <translation>適用可能なバージョン</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="48"/>
        <source>Notes</source>
        <translation>説明</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="49"/>
        <source>Guidance</source>
        <translation>ガイダンス</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="50"/>
        <source>Accepts requests from localhost only</source>
        <translation>localhost からの要求のみ受け付けます</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="51"/>
        <source>Does not apply to this version</source>
        <translation>このバージョンには対象外</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="52"/>
        <source>Used by this version</source>
        <translation>このバージョンで使用</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="53"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="243"/>
        <source>port, process, purpose… (e.g. 445 windows, push)</source>
        <translation>ポート、プロセス、用途…(例: 445 windows、プッシュ)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="250"/>
        <source>Direc&amp;tion:</source>
        <translation>方向(&amp;T):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="251"/>
        <source>Hide ports that do &amp;not apply</source>
        <translation>対象外のポートを隠す(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="252"/>
        <source>&amp;Copy selected rows</source>
        <translation>選択した行をコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="253"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="254"/>
        <location filename="../../gui/reference.py" line="257"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/reference.py" line="324"/>
        <source>%n of %1 ports shown</source>
        <translation>
            <numerusform>%1 件中 %n 件を表示</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="355"/>
        <source>No port selected.</source>
        <translation>ポートが選択されていません。</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="98"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="99"/>
        <source>Grouped by severity. Select a line for the explanation and next steps.</source>
        <translation>重要度ごとに表示します。行を選ぶと説明と対処が表示されます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="100"/>
        <source>Show in the &amp;port reference</source>
        <translation>ポートリファレンスで表示(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="101"/>
        <source>&amp;Copy for the ticket</source>
        <translation>チケット用にコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="102"/>
        <source>Copy a plain-text summary: host, version, time and every problem</source>
        <translation>ホスト、バージョン、日時とすべての問題をテキストでコピーします</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="103"/>
        <source>New dia&amp;gnosis</source>
        <translation>新しい診断(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="124"/>
        <source>This PC</source>
        <translation>この PC</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="137"/>
        <source>Cancelled (incomplete): %1</source>
        <translation>中止(未完了): %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="174"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="175"/>
        <source>Evidence</source>
        <translation>根拠</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="176"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="177"/>
        <source>Round trip</source>
        <translation>応答時間</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/results.py" line="180"/>
        <source>Why checked</source>
        <translation>確認の理由</translation>
    </message>
</context>
<context>
    <name>RunModel</name>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="93"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="94"/>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="95"/>
        <source>Checked on</source>
        <translation>確認先</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="96"/>
        <source>Time</source>
        <translation>時間</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="97"/>
        <source>Purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="98"/>
        <source>Finding</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="206"/>
        <source>running…</source>
        <translation>確認中…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="206"/>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/run_model.py" line="211"/>
        <source>this PC</source>
        <translation>この PC</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="114"/>
        <source>Checking</source>
        <translation>確認中</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="105"/>
        <source>Stop every check now (Esc)</source>
        <translation>すべての確認をすぐに止めます(Esc)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="106"/>
        <source>Check the &amp;selected port again</source>
        <translation>選択したポートを再確認(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="116"/>
        <source>Checks cancelled</source>
        <translation>確認を中止しました</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="118"/>
        <source>Checks finished</source>
        <translation>確認が終わりました</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="120"/>
        <source>Cancelled: checks that had no answer yet are marked cancelled.</source>
        <translation>中止しました: まだ応答のなかった確認は「中止」と表示されます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="122"/>
        <source>Every planned check is listed; each verdict appears as it arrives.</source>
        <translation>予定したすべての確認を表示し、判定が届いた順に表示します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="129"/>
        <source>running…</source>
        <translation>確認中…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="129"/>
        <source>waiting</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="104"/>
        <source>&amp;Cancel</source>
        <translation>中止(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/run.py" line="107"/>
        <source>Run &amp;all again</source>
        <translation>すべて再実行(&amp;A)</translation>
    </message>
</context>
<context>
    <name>TargetPage</name>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="126"/>
        <source>What to check</source>
        <translation>確認する対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="127"/>
        <source>The manager and the SEP version decide which ports matter.</source>
        <translation>管理サーバーと SEP のバージョンによって、確認するポートが決まります。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="129"/>
        <source>&amp;Manager (SEPM) host:</source>
        <translation>管理サーバー(SEPM)(&amp;M):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="131"/>
        <source>&amp;Group Update Provider (optional):</source>
        <translation>グループ更新プロバイダ(省略可)(&amp;G):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="132"/>
        <source>Remote &amp;SQL Server (optional):</source>
        <translation>リモート SQL Server(省略可)(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="133"/>
        <source>S&amp;yslog server (optional):</source>
        <translation>Syslog サーバー(省略可)(&amp;Y):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="134"/>
        <source>Ports the site &amp;changed (optional):</source>
        <translation>変更されたポート(省略可)(&amp;C):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="140"/>
        <source>host name or IP address, e.g. sepm01.corp.example</source>
        <translation>ホスト名または IP アドレス(例: sepm01.corp.example)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="142"/>
        <source>e.g. 14.3 RU1 or 14.3.3580.1100</source>
        <translation>例: 14.3 RU1 または 14.3.3580.1100</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="143"/>
        <source>DEFAULT=ACTUAL, e.g. 8014=80, 443=4443</source>
        <translation>既定=実際(例: 8014=80, 443=4443)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="144"/>
        <source>shown in the report</source>
        <translation>レポートに記載されます</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="145"/>
        <source>This PC is a Group &amp;Update Provider (check that it listens on TCP 2967)</source>
        <translation>この PC はグループ更新プロバイダ(TCP 2967 で待ち受けているか確認)(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="130"/>
        <source>S&amp;EP version:</source>
        <translation>SEP バージョン(&amp;E):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="135"/>
        <source>No&amp;te or ticket number:</source>
        <translation>メモ・チケット番号(&amp;T):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="146"/>
        <source>Read fr&amp;om manager</source>
        <translation>管理サーバーから読み取る(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="147"/>
        <source>Ask the manager&apos;s web service (TCP 8446) for its version</source>
        <translation>管理サーバーの Web サービス(TCP 8446)にバージョンを問い合わせます</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="221"/>
        <source>the manager and the SEP version are needed</source>
        <translation>管理サーバーと SEP バージョンが必要です</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="258"/>
        <source>manager</source>
        <translation>管理サーバー</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="261"/>
        <source>version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="266"/>
        <source>ports</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="269"/>
        <source>Filled in from this PC&apos;s SEP client settings: %1</source>
        <translation>この PC の SEP クライアントの設定から入力しました: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="271"/>
        <source>This PC&apos;s SyLink lists %1 management servers: choose another in the manager list.</source>
        <translation>この PC の SyLink には管理サーバーが %1 台あります。ほかのサーバーは管理サーバーの一覧から選べます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="289"/>
        <source>From this PC&apos;s SyLink (server %1 of %2): %3</source>
        <translation>この PC の SyLink から(%2 台中 %1 台目): %3</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="322"/>
        <source>Asking %1 on TCP %2…</source>
        <translation>%1 の TCP %2 に問い合わせています…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="337"/>
        <source>The manager reports %1.</source>
        <translation>管理サーバーのバージョンは %1 です。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="340"/>
        <source>The manager reports a version not known here: %1</source>
        <translation>管理サーバーが報告したバージョンはこのプログラムでは不明です: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/target.py" line="344"/>
        <source>No version from the manager: %1</source>
        <translation>管理サーバーからバージョンを取得できませんでした: %1</translation>
    </message>
</context>
<context>
    <name>WherePage</name>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="85"/>
        <source>Where are you?</source>
        <translation>どこで実行していますか?</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="86"/>
        <source>The checks depend on where this program runs.</source>
        <translation>確認内容は、このプログラムを実行する場所によって変わります。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="87"/>
        <source>Choose where you are sitting. Most checks are made from a client PC.</source>
        <translation>作業している場所を選んでください。通常はクライアントの PC から確認します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="88"/>
        <source>This program runs</source>
        <translation>このプログラムの実行場所</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="89"/>
        <source>At a &amp;client PC whose SEP client cannot reach its manager</source>
        <translation>管理サーバーに接続できない SEP クライアントの PC(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="90"/>
        <source>At an &amp;admin PC whose console cannot reach the manager</source>
        <translation>管理コンソールが管理サーバーに接続できない管理用 PC(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="91"/>
        <source>On the &amp;manager (SEPM) itself</source>
        <translation>管理サーバー(SEPM)上(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="92"/>
        <source>At the manager: &amp;push-deployment targets (many client PCs)</source>
        <translation>管理サーバーで: プッシュ配備の対象(複数のクライアント PC)(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="93"/>
        <source>&amp;Language:</source>
        <translation>言語(&amp;L):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard/pages/where.py" line="95"/>
        <source>Follow the system (%1)</source>
        <translation>システムに合わせる(%1)</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../gui/app.py" line="84"/>
        <source>Something went wrong.</source>
        <translation>予期しないエラーが発生しました。</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="89"/>
        <source>The details are in the log file: %1</source>
        <translation>詳細はログファイルにあります: %1</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="91"/>
        <source>No log file could be written here.</source>
        <translation>ここではログファイルを書けませんでした。</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="234"/>
        <source>A data file of the program is broken:</source>
        <translation>プログラムのデータファイルが壊れています:</translation>
    </message>
</context>
</TS>
