"""The labelled set the lexicon is held to: (sentence, expected categories, how they appear).

"signal"  — every listed category must be found, not negated;
"negated" — every listed category must be found (flagged negated, never dropped);
"none"    — an ordinary complaint: no signal is expected (false alarms are counted, not failed).
"""

S, V, M, F = "suicide", "domestic_violence", "missing", "fall"
N, C, H = "no_food", "child_harm", "medical"

SIGNAL, NEGATED, NONE = "signal", "negated", "none"

LABELLED: list[tuple[str, set[str], str]] = [
    # 自杀/自伤 — plain and colloquial
    ("我不想活了", {S}, SIGNAL),
    ("活着真没意思，天天一个人", {S}, SIGNAL),
    ("老伴走了以后，我也不想再活了", {S}, SIGNAL),
    ("我想死，谁也别拦我", {S}, SIGNAL),
    ("死了算了，省得拖累孩子", {S}, SIGNAL),
    ("他说要跳楼", {S}, SIGNAL),
    ("家里攒了好多安眠药", {S}, SIGNAL),
    ("我活够了", {S}, SIGNAL),
    ("实在活不下去了", {S}, SIGNAL),
    ("她手腕上有割腕的伤口", {S}, SIGNAL),
    ("一个人在家，不如死了好", {S}, SIGNAL),
    ("不想拖累儿女，想一了百了，一死了之", {S}, SIGNAL),
    ("老人说想去陪老伴去", {S}, SIGNAL),
    ("他最近老说想 死", {S}, SIGNAL),
    ("活着 没 意思", {S}, SIGNAL),
    ("我不活了！", {S}, SIGNAL),
    # 中风: acute is a signal, rehabilitation is not
    ("我爸刚才突然中风，嘴歪眼斜", {H}, SIGNAL),
    ("老人早上起来说话不清，半边身子动不了", {H}, SIGNAL),
    ("奶奶中风了，快来人", {H}, SIGNAL),
    ("中风后在家康复，需要上门理疗", set(), NONE),
    ("儿子欠了债，说要喝农药", {S}, SIGNAL),
    ("她说攒够了药就去死", {S}, SIGNAL),
    ("这日子没法过了，死了干净", {S}, SIGNAL),
    ("ＴＡ说想结束自己的生命", {S}, SIGNAL),
    # 家暴
    ("我老公喝了酒就打我", {V}, SIGNAL),
    ("他又动手打她了，邻居都听见了", {V}, SIGNAL),
    ("儿子经常揍我，我不敢说", {V}, SIGNAL),
    ("丈夫掐我脖子，说要杀了我", {V}, SIGNAL),
    ("别打了，求你别打了", {V}, SIGNAL),
    ("我被打得浑身是伤", {V}, SIGNAL),
    ("她说晚上不敢回家", {V}, SIGNAL),
    ("家里有家暴，请帮帮我", {V}, SIGNAL),
    ("媳妇天天踢我，还不给饭吃", {V}, SIGNAL),
    ("他拿刀威胁我", {V}, SIGNAL),
    # 走失
    ("奶奶早上出门到现在没回来", {M}, SIGNAL),
    ("我爸有老年痴呆，走丢了", {M}, SIGNAL),
    ("老人昨天晚上一夜没回", {M}, SIGNAL),
    ("我妈出去买菜就找不到了", {M}, SIGNAL),
    ("独居的王大爷联系不上了", {M}, SIGNAL),
    ("外公迷路了，不知道在哪", {M}, SIGNAL),
    ("老伴出去遛弯，人不见了", {M}, SIGNAL),
    ("楼上李奶奶失踪两天了", {M}, SIGNAL),
    # 跌倒
    ("老人在卫生间摔倒了", {F}, SIGNAL),
    ("王奶奶摔了一跤，起不来", {F}, SIGNAL),
    ("我爸从床上掉下来了", {F}, SIGNAL),
    ("下雨路滑，老人滑倒了", {F}, SIGNAL),
    ("她跌倒在地上爬不起来", {F}, SIGNAL),
    ("爷爷昨天摔伤了腿", {F}, SIGNAL),
    # 断粮/无食物
    ("家里没米了，也没钱", {N}, SIGNAL),
    ("老人已经三天没吃饭了", {N}, SIGNAL),
    ("我们家揭不开锅了", {N}, SIGNAL),
    ("冰箱里没吃的，孩子饿肚子", {N}, SIGNAL),
    ("低保还没发，没钱吃饭", {N}, SIGNAL),
    ("两天没吃东西了", {N}, SIGNAL),
    ("断粮好几天了", {N}, SIGNAL),
    # 儿童受害 (强制报告)
    ("隔壁老是打孩子，孩子哭得很厉害", {C}, SIGNAL),
    ("孩子身上有淤青，问他也不说", {C}, SIGNAL),
    ("小孩被打得不敢上学", {C}, SIGNAL),
    ("听说有人猥亵小区的孩子", {C}, SIGNAL),
    ("他们把娃关在屋里不让出门", {C}, SIGNAL),
    ("孩子一个人在家好几天了，父母不在", {C}, SIGNAL),
    ("女儿在学校被欺负，身上有伤痕", {C}, SIGNAL),
    ("继母不给孩子饭吃", {C}, SIGNAL),
    # 急病
    ("老人晕倒了，叫不醒", {H}, SIGNAL),
    ("他喘不上气，胸口疼", {H}, SIGNAL),
    ("家里可能煤气中毒了", {H}, SIGNAL),
    # several at once
    ("老公打我，还说不想活了", {V, S}, SIGNAL),
    ("奶奶摔倒了，家里也没吃的", {F, N}, SIGNAL),
    # negations: found and flagged, never dropped
    ("我不是不想活，就是太累了", {S}, NEGATED),
    ("我没有想死，你放心", {S}, NEGATED),
    ("我从来没有过想死的念头", {S}, NEGATED),
    ("我不会自杀的，别担心", {S}, NEGATED),
    ("他并没有打我，只是吵架", {V}, NEGATED),
    ("没有人打我，我自己撞的", {V}, NEGATED),
    ("老人没有摔倒，只是腿软", {F}, NEGATED),
    ("孩子不是被打的，是玩的时候碰的", {C}, NEGATED),
    ("我不再想死了，谢谢你们", {S}, NEGATED),
    ("家里并非断粮，只是想申请补助", {N}, NEGATED),
    # ordinary complaints — no signal expected
    ("楼道的灯坏了，晚上看不清", set(), NONE),
    ("想申请助餐服务，一个月多少钱", set(), NONE),
    ("家里的空调不制冷了，麻烦来修一下", set(), NONE),
    ("小区垃圾没人清理，味道很大", set(), NONE),
    ("请问低保怎么申请", set(), NONE),
    ("孩子放学后想参加托管班", set(), NONE),
    ("老人想学用智能手机", set(), NONE),
    ("邻居装修太吵了", set(), NONE),
    ("希望社区多组织些文艺活动", set(), NONE),
    ("打他电话没人接，麻烦再联系一下", set(), NONE),
    ("我的医保卡丢了，怎么补办", set(), NONE),
    ("今天天气很好，出去晒了太阳", set(), NONE),
    ("楼下停车太乱，车开不出去", set(), NONE),
    ("想找个志愿者陪老人聊聊天", set(), NONE),
    ("下水道堵了", set(), NONE),
    ("能不能帮忙代买一下药", set(), NONE),
    ("电梯又坏了，老人上下楼不方便", set(), NONE),
    ("谢谢志愿者上次帮忙修水管", set(), NONE),
]
